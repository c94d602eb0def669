import Foundation
import Hummingbird
import SegADNative

/// The review page at `/` (docs/serving.md, "The review page"): a plain
/// server-rendered page with a small inline script and nothing fetched from
/// elsewhere. Pick or drop an image: it is posted to /v1/score as
/// multipart/form-data (one file part) and the overlay, score and decision
/// are shown. Below, the last decisions of the record, flagged first, each
/// with its image and "confirm good" / "confirm bad", which file the kept
/// image into --review-folder's good/ or bad/ — the layout `make images`
/// reads — and record the verdict.
///
/// Ids are the server's own (`Server.newId`); a path is never taken from a
/// request: the image filed is the one the record names.
enum ReviewPage {
    static func add(to router: Router<BasicRequestContext>, shared s: Server.Shared) {
        router.get("/") { _, _ -> Response in
            let rows = try await s.record?.recent(limit: 50) ?? []
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: html(rows: rows, shared: s))))
        }
        router.get("/v1/decisions") { _, _ -> Response in
            guard let record = s.record else { throw ServeError.noRecord }
            let rows = try await record.recent(limit: 50)
            return Server.json(200, JSONAnswer.array(rows.map { r in
                .object([("id", .string(r.id)), ("time", .string(r.time)), ("part_id", r.partId.map { .string($0) } ?? .null),
                         ("score", .number(r.score)), ("decision", .string(r.decision)),
                         ("verdict", r.verdict.map { .string($0) } ?? .null)])
            }).text)
        }
        // The kept image of a decision (PNG or JPEG as received; a TIFF, which
        // browsers do not show, is answered with the overlay of this run).
        router.get("/v1/images/:id") { _, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard Server.isId(Substring(id)), let row = try await s.record?.row(id: id) else {
                throw ServeError.notFound("/v1/images/" + id)
            }
            var path = row.keptImage
            if path.map({ $0.hasSuffix(".tif") }) ?? true { path = s.queue.overlayPath(id: id) }
            guard let path, let data = try? RegularFile.contents(atPath: path) else { throw ServeError.notFound("/v1/images/" + id) }
            let type = path.hasSuffix(".jpg") ? "image/jpeg" : "image/png"
            return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("/v1/decisions/:id/verdict") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let record = s.record else { throw ServeError.noRecord }
            guard let folder = s.options.reviewFolder else { throw ServeError.noReviewFolder }
            guard Server.isId(Substring(id)), let row = try await record.row(id: id) else {
                throw ServeError.notFound("/v1/decisions/" + id)
            }
            let body = String(buffer: try await request.body.collect(upTo: 64)).trimmingCharacters(in: .whitespacesAndNewlines)
            guard body == "good" || body == "bad" else { throw ServeError.badVerdict(body) }
            guard let kept = row.keptImage else {
                throw ServeError.folderUnusable(id, reason: "its image was not kept (serve with --keep-images)")
            }
            let filed = try file(kept, id: id, verdict: body, folder: folder)
            try await record.setVerdict(id: id, verdict: body, reviewedImage: filed)
            return Server.json(200, JSONAnswer.object([("id", .string(id)), ("verdict", .string(body)),
                                                     ("filed", .string(filed))]).text)
        }
    }

    /// Copies the kept image into FOLDER/VERDICT/ID.EXT under a temporary
    /// name and renames it into place (never half a file under the final
    /// name); a copy filed under the other verdict before is removed.
    static func file(_ kept: String, id: String, verdict: String, folder: String) throws -> String {
        let fm = FileManager.default
        let name = id + "." + (kept as NSString).pathExtension
        let dir = (folder as NSString).appendingPathComponent(verdict)
        let target = (dir as NSString).appendingPathComponent(name)
        let temporary = (dir as NSString).appendingPathComponent(".\(name).tmp-\(getpid())")
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? fm.removeItem(atPath: temporary)
            try fm.copyItem(atPath: kept, toPath: temporary)
            if rename(temporary, target) != 0 {
                throw ServeError.folderUnusable(target, reason: String(cString: strerror(errno)))
            }
        } catch let e as ServeError {
            try? fm.removeItem(atPath: temporary)
            throw e
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw ServeError.folderUnusable(dir, reason: "cannot file the image (\(error.localizedDescription))")
        }
        let other = ((folder as NSString).appendingPathComponent(verdict == "good" ? "bad" : "good") as NSString)
            .appendingPathComponent(name)
        try? fm.removeItem(atPath: other)
        return target
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func html(rows: [InspectionRecord.Row], shared s: Server.Shared) -> String {
        let reviewing = s.record != nil && s.options.reviewFolder != nil && s.options.keepImages != nil
        var list = ""
        for r in rows {
            let flagged = r.decision == "anomalous" && r.verdict == nil
            let buttons = reviewing
                ? """
                  <button data-id="\(escape(r.id))" data-verdict="good">confirm good</button>
                  <button data-id="\(escape(r.id))" data-verdict="bad">confirm bad</button>
                  """ : ""
            list += """
                <tr class="\(flagged ? "flagged" : "")" id="row-\(escape(r.id))">
                <td><img class="thumb" src="/v1/images/\(escape(r.id))" alt=""></td>
                <td>\(escape(r.time))</td><td>\(escape(r.partId ?? ""))</td>
                <td class="num">\(escape("\(r.score)"))</td><td class="\(escape(r.decision))">\(escape(r.decision))</td>
                <td class="verdict">\(escape(r.verdict ?? ""))</td><td>\(buttons)</td></tr>

                """
        }
        let note = s.record == nil ? "<p>No --record: decisions are not kept, so there is nothing to review.</p>"
            : !reviewing ? "<p>Verdicts need --keep-images and --review-folder.</p>" : ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>SegAD — review</title>
            <style>
            body{font-family:sans-serif;margin:1.5em;max-width:70em;color:#222}
            #drop{border:2px dashed #888;padding:1.2em;text-align:center;border-radius:6px}
            #drop.over{background:#eef}
            #result img{max-width:100%;border:1px solid #ccc;margin-top:.6em}
            table{border-collapse:collapse;width:100%;margin-top:1em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left}
            .thumb{height:48px}.num{font-family:monospace}.anomalous{color:#b00;font-weight:bold}.normal{color:#070}
            tr.flagged{background:#fee}#error{color:#b00}
            </style></head><body>
            <h1>SegAD inspection</h1>
            <p>Pipeline <code>\(escape(String(s.pipelineSHA256.prefix(12))))</code>, threshold \(escape("\(s.queue.scorer.pipeline.operatingPoint.threshold)")).</p>
            <div id="drop">Drop an image here or <input type="file" id="file" accept="image/png,image/jpeg,image/tiff"></div>
            <div id="result" hidden><p>Score <b id="score"></b> — <b id="decision"></b> (id <code id="rid"></code>)</p>
            <p id="features"></p><img id="overlay" alt="overlay"></div>
            <p id="error"></p>
            <h2>Last decisions (flagged first)</h2>\(note)
            <table><thead><tr><th>image</th><th>time</th><th>part</th><th>score</th><th>decision</th><th>verdict</th><th></th></tr></thead>
            <tbody id="decisions">
            \(list)</tbody></table>
            <script>
            "use strict";
            const $ = (id) => document.getElementById(id);
            // Sent as multipart/form-data with one file part, as a plain form would send it.
            async function score(blob) {
              $("error").textContent = "";
              const form = new FormData();
              form.append("image", blob, blob.name || "image");
              const r = await fetch("/v1/score", {method: "POST", body: form});
              const j = await r.json();
              if (!r.ok) { $("error").textContent = j.error; return; }
              $("score").textContent = j.score; $("decision").textContent = j.decision;
              $("decision").className = j.decision; $("rid").textContent = j.id;
              $("features").textContent = j.top_features.map(f => f.readable + " (" + f.contribution.toFixed(2) + ")").join("; ");
              $("overlay").hidden = !j.overlay; if (j.overlay) $("overlay").src = j.overlay;
              $("result").hidden = false;
              document.body.dataset.scored = j.id;
            }
            $("file").addEventListener("change", (e) => { if (e.target.files[0]) score(e.target.files[0]); });
            const drop = $("drop");
            drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
            drop.addEventListener("dragleave", () => drop.classList.remove("over"));
            drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files[0]) score(e.dataTransfer.files[0]); });
            document.querySelectorAll("button[data-verdict]").forEach((b) => b.addEventListener("click", async () => {
              const r = await fetch("/v1/decisions/" + b.dataset.id + "/verdict", {method: "POST", body: b.dataset.verdict});
              const j = await r.json();
              if (!r.ok) { $("error").textContent = j.error; return; }
              $("row-" + b.dataset.id).querySelector(".verdict").textContent = j.verdict;
            }));
            // #try=/v1/images/ID scores an image this server already holds, as if it were picked (a check without a file dialog).
            const m = location.hash.match(/^#try=(\\/v1\\/images\\/[A-Za-z0-9-]+)$/);
            if (m) fetch(m[1]).then((r) => r.blob()).then(score);
            </script></body></html>

            """
    }
}
