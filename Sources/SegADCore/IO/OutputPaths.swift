import Foundation
import SegADNative

/// Refuses, before any work, an output that would destroy an input
/// (docs/reliability.md, section 6, class 2): every stage calls `OutputPaths.check` with what it writes and
/// what it reads. Paths are compared after resolving symlinks and `..`
/// (of the longest existing prefix, so outputs not yet written resolve too).
public enum OutputPaths {
    /// One output of a stage: the option naming it, its path, and whether it
    /// is a folder the stage writes into (then no input may lie inside it).
    public struct Output {
        public var option: String
        public var path: String
        public var isFolder: Bool
        public init(_ option: String, _ path: String, folder: Bool = false) {
            self.option = option; self.path = path; self.isFolder = folder
        }
    }

    /// - Parameters:
    ///   - outputs: everything the stage writes (files, or folders it writes into).
    ///   - inputs: every file or folder it reads, with the option naming it.
    ///   - manifests: manifests among the inputs; the files they name (images,
    ///     maps, label maps) are inputs too.
    public static func check(outputs: [Output], inputs: [(option: String, path: String)],
                             manifests: [String] = []) throws {
        for o in outputs where o.path.isEmpty {
            throw OutputError.emptyPath(o.option, what: o.isFolder ? "folder" : "file")
        }
        var all = inputs.filter { !$0.path.isEmpty }
        for m in manifests {
            guard let manifest = try? Manifest.load(path: m) else { continue }  // the stage reports its faults
            for item in manifest.items {
                for p in [item.image, item.segmentation].compactMap({ $0 }) + item.maps.values.sorted() {
                    all.append(("manifest item '\(item.id)'", manifest.resolve(p)))
                }
            }
        }
        let resolvedInputs = all.map { ($0.option, $0.path, resolve($0.path)) }
        var seenOutputs: [String: String] = [:]
        for o in outputs {
            let r = resolve(o.path)
            if let other = seenOutputs[r] {
                throw OutputError.givenTwice(o.path, first: other, second: o.option)
            }
            seenOutputs[r] = o.option
            for (option, path, ri) in resolvedInputs {
                if ri == r {
                    throw OutputError.overwritesInput(o.path, option: o.option, input: path, inputOption: option)
                }
                if o.isFolder && ri.hasPrefix(r == "/" ? r : r + "/") {
                    throw OutputError.replacesInputFolder(o.path, option: o.option, input: path, inputOption: option)
                }
            }
        }
    }

    /// The absolute path with symlinks and `..` resolved as far as the path
    /// exists; the rest is appended as given (with `.`/`..` applied).
    public static func resolve(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let r = realpath(absolute, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        let parent = (absolute as NSString).deletingLastPathComponent
        let last = (absolute as NSString).lastPathComponent
        if parent == absolute || parent.isEmpty { return absolute }
        let base = resolve(parent)
        switch last {
        case ".", "": return base
        case "..": return (base as NSString).deletingLastPathComponent
        default: return (base as NSString).appendingPathComponent(last)
        }
    }

    /// Makes sure `folder` exists (creating it and its parents) and is
    /// writable, with one line naming the fault and the fix: an empty path,
    /// a file in the way (the folder or one of its parents), no permission.
    public static func prepareFolder(_ folder: String, option: String = "-o") throws {
        if folder.isEmpty { throw OutputError.emptyPath(option, what: "folder") }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            if !isFolder.boolValue { throw OutputError.notAFolder(folder, option: option) }
        } else {
            var ancestor = (folder as NSString).deletingLastPathComponent
            while !ancestor.isEmpty && ancestor != "/" && !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder) {
                ancestor = (ancestor as NSString).deletingLastPathComponent
            }
            if !ancestor.isEmpty, FileManager.default.fileExists(atPath: ancestor, isDirectory: &isFolder), !isFolder.boolValue {
                throw OutputError.parentIsFile(ancestor, folder: folder, option: option)
            }
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw OutputError.cannotCreateFolder(folder, reason: reason(error), option: option)
            }
        }
        if access(folder, W_OK) != 0 {
            throw OutputError.notWritable(folder, reason: String(cString: strerror(errno)), option: option)
        }
    }

    /// Why a write into `path`'s folder failed when a library does not say
    /// (HDF5's error stack names no errno): the folder's file system is
    /// read-only, or has no free block left — or nil.
    public static func diskFault(of path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        var info = statvfs()
        guard statvfs(folder.isEmpty ? "." : folder, &info) == 0 else { return nil }
        if info.f_flag & UInt(ST_RDONLY) != 0 { return OutputError.reason(EROFS) }
        if info.f_bavail == 0 { return OutputError.reason(ENOSPC) }
        return nil
    }

    /// A Foundation error as a short reason (no NSCocoaErrorDomain text).
    public static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch ns.code {
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on device"
        case NSFileWriteVolumeReadOnlyError: return "read-only file system"
        case NSFileWriteFileExistsError: return "a file is in the way"
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or folder"
        default: return "cannot write (error \(ns.code))"
        }
    }
}
