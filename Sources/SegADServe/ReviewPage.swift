import Foundation
import Hummingbird

/// The review page at `/` (docs/serving.md, "The review page").
enum ReviewPage {
    static func add(to router: Router<BasicRequestContext>, shared s: Server.Shared) {}
}
