import Foundation

/// Bounds a model JSON must keep before XGBoost loads it (the callers pass
/// SegADCore's `Bounds`: `maxDepth`, `maxTrees`).
public struct XGBModelLimits: Sendable, Equatable {
    public var maxDepth: Int
    public var maxTrees: Int
    /// Feature columns a model may declare; far above SegAD's layouts.
    public var maxFeatures: Int

    public init(maxDepth: Int, maxTrees: Int, maxFeatures: Int = 1 << 24) {
        self.maxDepth = maxDepth
        self.maxTrees = maxTrees
        self.maxFeatures = maxFeatures
    }
}

/// Validates XGBoost's JSON model before libxgboost sees it
/// (docs/reliability.md, "One artifact gate"): a single-output `gbtree`
/// model whose declared counts match its arrays, and whose every tree is a
/// tree — child indices inside the tree, each reachable node reached once
/// from the root (no cycle, no shared node), depth at most `maxDepth`,
/// split feature indices below `num_feature`, finite split values and
/// weights, numerical splits only. XGBoost itself checks none of the
/// indices when it loads or walks a tree.
enum XGBModelCheck {
    static func validate(_ json: String, source: String, limits: XGBModelLimits) throws {
        guard let root = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            throw XGBModelError.notJSON(source)
        }
        // Foundation and XGBoost's own parser could keep different values of
        // a repeated key: what was checked must be what XGBoost reads.
        if let key = repeatedKey(json) { throw XGBModelError.repeatedKey(source, key: key) }
        func object(_ o: [String: Any], _ key: String, _ path: String) throws -> [String: Any] {
            guard let v = o[key] as? [String: Any] else { throw XGBModelError.missing(source, key: path) }
            return v
        }
        func count(_ o: [String: Any], _ key: String, _ path: String) throws -> Int {
            guard let text = o[key] as? String, let v = Int(text), v >= 0 else {
                throw XGBModelError.missing(source, key: path)
            }
            return v
        }
        let learner = try object(root, "learner", "learner")
        let parameters = try object(learner, "learner_model_param", "learner.learner_model_param")
        let features = try count(parameters, "num_feature", "learner.learner_model_param.num_feature")
        guard features <= limits.maxFeatures else {
            throw XGBModelError.tooManyFeatures(source, features: features, limit: limits.maxFeatures)
        }
        if let classes = parameters["num_class"] {
            guard let text = classes as? String, let n = Int(text), n <= 1, n >= 0 else {
                throw XGBModelError.unsupported(source, what: "a multi-class model (num_class \(classes))")
            }
        }
        if let targets = parameters["num_target"], (targets as? String) != "1" {
            throw XGBModelError.unsupported(source, what: "a multi-target model (num_target \(targets))")
        }
        for key in ["feature_names", "feature_types"] {
            if let list = learner[key] {
                guard let list = list as? [Any], list.isEmpty || list.count == features else {
                    throw XGBModelError.missing(source, key: "learner.\(key) (one per feature)")
                }
            }
        }
        let booster = try object(learner, "gradient_booster", "learner.gradient_booster")
        guard let name = booster["name"] as? String else {
            throw XGBModelError.missing(source, key: "learner.gradient_booster.name")
        }
        guard name == "gbtree" else { throw XGBModelError.unsupported(source, what: "a \(name) model") }
        let model = try object(booster, "model", "learner.gradient_booster.model")
        let declared = try count(try object(model, "gbtree_model_param", "gbtree_model_param"), "num_trees",
                                 "gbtree_model_param.num_trees")
        guard let trees = model["trees"] as? [Any] else {
            throw XGBModelError.missing(source, key: "learner.gradient_booster.model.trees")
        }
        guard let info = model["tree_info"] as? [Any] else {
            throw XGBModelError.missing(source, key: "learner.gradient_booster.model.tree_info")
        }
        guard trees.count <= limits.maxTrees else {
            throw XGBModelError.tooManyTrees(source, trees: trees.count, limit: limits.maxTrees)
        }
        guard declared == trees.count, info.count == trees.count else {
            throw XGBModelError.treeCount(source, declared: declared, found: trees.count, infos: info.count)
        }
        guard info.allSatisfy({ integer($0) == 0 }) else {
            throw XGBModelError.unsupported(source, what: "a multi-output model (tree_info other than 0)")
        }
        if let pointers = model["iteration_indptr"] {
            let values = (pointers as? [Any])?.map(integer) ?? [nil]
            guard values.first == 0, values.last == trees.count,
                  zip(values, values.dropFirst()).allSatisfy({ a, b in a.flatMap { a in b.map { a <= $0 } } ?? false })
            else { throw XGBModelError.missing(source, key: "iteration_indptr (0 … \(trees.count), rising)") }
        }
        for (index, tree) in trees.enumerated() {
            guard let tree = tree as? [String: Any] else {
                throw XGBModelError.tree(source, tree: index, fault: "not a JSON object")
            }
            // XGBoost places each tree at its `id`: a repeated id leaves a
            // slot empty, and scoring dereferences it (found by the fuzzing).
            guard let id = tree["id"].flatMap(integer), id == index else {
                throw XGBModelError.tree(source, tree: index, fault: "its id is \(tree["id"].map { "\($0)" } ?? "missing"), not \(index)")
            }
            if let fault = treeFault(tree, features: features, maxDepth: limits.maxDepth) {
                throw XGBModelError.tree(source, tree: index, fault: fault)
            }
        }
    }

    /// Why `tree` is not a tree XGBoost can walk safely, or nil.
    static func treeFault(_ tree: [String: Any], features: Int, maxDepth: Int) -> String? {
        guard let parameters = tree["tree_param"] as? [String: Any],
              let text = parameters["num_nodes"] as? String, let n = Int(text) else {
            return "tree_param.num_nodes is missing"
        }
        let most = (1 << (maxDepth + 1)) - 1
        guard n >= 1, n <= most else { return "\(n) nodes; a tree of depth \(maxDepth) has 1 … \(most)" }
        if let leaf = parameters["size_leaf_vector"] as? String, leaf != "0", leaf != "1" {
            return "leaf vectors of size \(leaf) (multi-target)"
        }
        var arrays: [String: [Any]] = [:]
        for key in ["left_children", "right_children", "parents", "split_indices", "split_conditions",
                    "default_left", "base_weights", "loss_changes", "sum_hessian"] {
            guard let values = tree[key] as? [Any], values.count == n else {
                return "\(key) does not hold one entry per node (\(n))"
            }
            arrays[key] = values
        }
        if let types = tree["split_type"] {
            guard let types = types as? [Any], types.count == n else { return "split_type does not hold one entry per node" }
            guard types.allSatisfy({ integer($0) == 0 }) else { return "categorical splits" }
        }
        for key in ["categories", "categories_nodes", "categories_segments", "categories_sizes"] {
            if let values = tree[key], (values as? [Any])?.isEmpty != true { return "categorical splits (\(key))" }
        }
        for key in ["split_conditions", "base_weights"] {
            guard arrays[key]!.allSatisfy({ ($0 as? NSNumber).map { $0.doubleValue.isFinite } ?? false }) else {
                return "\(key) holds a value that is not a finite number"
            }
        }
        let left = arrays["left_children"]!.map(integer), right = arrays["right_children"]!.map(integer)
        let splits = arrays["split_indices"]!.map(integer), parents = arrays["parents"]!.map(integer)
        // Every node's children and split feature, reachable or not.
        for i in 0 ..< n {
            guard let l = left[i], let r = right[i] else { return "node \(i) has a child that is not an integer" }
            if l == -1 && r == -1 { continue }
            guard (1 ..< n).contains(l), (1 ..< n).contains(r), l != r else {
                return "node \(i) has children \(l) and \(r); "
                    + (n > 1 ? "children lie in 1 … \(n - 1)" : "a tree of one node has no children")
            }
            guard let f = splits[i], (0 ..< features).contains(f) else {
                return "node \(i) splits on feature \(splits[i].map(String.init) ?? "?"); the model has \(features)"
            }
        }
        // From the root: each node reached once, within the depth bound.
        var reached = [Bool](repeating: false, count: n)
        var stack = [(node: 0, depth: 0)]
        reached[0] = true
        while let (node, depth) = stack.popLast() {
            let l = left[node]!, r = right[node]!
            if l == -1 { continue }
            guard depth < maxDepth else { return "deeper than \(maxDepth) levels" }
            for child in [l, r] {
                guard !reached[child] else { return "node \(child) is reached twice (a cycle or a shared node)" }
                guard parents[child] == node else { return "node \(child)'s parent is not node \(node)" }
                reached[child] = true
                stack.append((child, depth + 1))
            }
        }
        return nil
    }

    /// The first key repeated within one object of valid JSON `text`, or nil.
    static func repeatedKey(_ text: String) -> String? {
        var frames: [Set<String>?] = []  // per open bracket: an object's keys, nil for an array
        var expectKey = false
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "{"): frames.append([]); expectKey = true
            case UInt8(ascii: "["): frames.append(nil); expectKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = frames.popLast(); expectKey = false
            case UInt8(ascii: ","): expectKey = frames.last.map { $0 != nil } ?? false
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectKey, let keys = frames.last, var set = keys {
                    // A key with escapes is decoded through JSON itself, so
                    // escapes compare by what they mean.
                    let inner = bytes[(i + 1) ..< min(end, bytes.count)]
                    let key = inner.contains(UInt8(ascii: "\\"))
                        ? (try? JSONSerialization.jsonObject(with: Data(bytes[i ... min(end, bytes.count - 1)]),
                                                             options: .fragmentsAllowed)) as? String ?? ""
                        : String(decoding: inner, as: UTF8.self)
                    if !set.insert(key).inserted { return key }
                    frames[frames.count - 1] = set
                    expectKey = false
                }
                i = end
            default: break
            }
            i += 1
        }
        return nil
    }

    /// A JSON integer (a whole NSNumber within ±2⁵³), or nil.
    static func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let d = number.doubleValue
        guard d.isFinite, d == d.rounded(), abs(d) <= 9_007_199_254_740_992 else { return nil }
        return Int(d)
    }
}
