// A built-in monospace bitmap font for report figures: printable ASCII
// (32…126) plus "±", "×", "↑" and "↓". Any other character is drawn as "?".

/// A 5×9 pixel monospace font in a 6×11 cell.
///
/// Each glyph is 5 pixels wide; rows 0…6 hold capitals and digits (the
/// x-height of lower case is rows 2…6) and rows 7…8 hold descenders
/// (g, j, p, q, y, comma, …). The cell adds one blank column and two blank
/// rows, so text set at scale 1 reads cleanly and scale 2 suits titles.
public enum BitmapFont {
    /// Width of a glyph's ink box, in font pixels.
    public static let glyphWidth = 5
    /// Height of a glyph's ink box, descenders included, in font pixels.
    public static let glyphHeight = 9
    /// Height of capitals and digits (rows 0…6), in font pixels.
    public static let capHeight = 7
    /// Horizontal distance between successive characters, in font pixels.
    public static let advance = 6
    /// Vertical distance between successive lines, in font pixels.
    public static let lineHeight = 11

    /// The glyph drawn for characters the font lacks.
    public static let fallback: Character = "?"

    /// Whether the font has its own glyph for `c`.
    public static func hasGlyph(_ c: Character) -> Bool { glyphs[c] != nil }

    /// The glyph of `c` (or of "?" if the font lacks it): `glyphHeight` rows,
    /// each a 5-bit mask whose bit 4 is the leftmost pixel.
    public static func glyph(_ c: Character) -> [UInt8] {
        glyphs[c] ?? glyphs[fallback]!
    }

    /// The box `text` occupies when drawn at `scale`: the widest line's
    /// characters times `advance`, less the trailing blank column, by the
    /// lines times `lineHeight`, less the blank rows under the last line.
    /// Empty text has size 0×0.
    public static func size(of text: String, scale: Int = 1) -> (width: Int, height: Int) {
        guard !text.isEmpty else { return (0, 0) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let columns = lines.map(\.count).max() ?? 0
        let width = columns == 0 ? 0 : columns * advance - (advance - glyphWidth)
        let height = lines.count * lineHeight - (lineHeight - glyphHeight)
        let s = max(scale, 1)
        return (width * s, height * s)
    }

    /// Calls `body(x, y)` for every ink pixel of `text` set at scale 1, in
    /// font pixels from the top-left corner of the first cell.
    static func forEachPixel(of text: String, _ body: (Int, Int) -> Void) {
        var column = 0, line = 0
        for c in text {
            if c == "\n" { column = 0; line += 1; continue }
            let rows = glyph(c)
            for (gy, bits) in rows.enumerated() where bits != 0 {
                for gx in 0..<glyphWidth where bits & (1 << (glyphWidth - 1 - gx)) != 0 {
                    body(column * advance + gx, line * lineHeight + gy)
                }
            }
            column += 1
        }
    }

    /// Glyphs by character, parsed once from `glyphSource`.
    private static let glyphs: [Character: [UInt8]] = {
        var table = [Character: [UInt8]]()
        for (c, art) in glyphSource {
            let rows = art.split(separator: " ").map { row -> UInt8 in
                precondition(row.count == glyphWidth, "BitmapFont: bad row \(row) in \(c)")
                return row.reduce(0) { $0 << 1 | ($1 == "#" ? 1 : 0) }
            }
            precondition(rows.count <= glyphHeight, "BitmapFont: too many rows in \(c)")
            table[c] = rows + Array(repeating: 0, count: glyphHeight - rows.count)
        }
        return table
    }()

    /// The glyphs as pixel art: rows top to bottom, separated by spaces,
    /// "#" ink and "." blank. Rows not given (descender rows, mostly) are
    /// blank.
    private static let glyphSource: [(Character, String)] = [
        (" ", "..... ..... ..... ..... ..... ..... ....."),
        ("!", "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#.."),
        ("\"", ".#.#. .#.#. .#.#. ..... ..... ..... ....."),
        ("#", ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#."),
        ("$", "..#.. .#### #.#.. .###. ..#.# ####. ..#.."),
        ("%", "##... ##..# ...#. ..#.. .#... #..## ...##"),
        ("&", ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#"),
        ("'", "..#.. ..#.. .#... ..... ..... ..... ....."),
        ("(", "...#. ..#.. .#... .#... .#... ..#.. ...#."),
        (")", ".#... ..#.. ...#. ...#. ...#. ..#.. .#..."),
        ("*", "..... ..#.. #.#.# .###. #.#.# ..#.. ....."),
        ("+", "..... ..#.. ..#.. ##### ..#.. ..#.. ....."),
        (",", "..... ..... ..... ..... ..... .##.. .##.. ..#.. .#..."),
        ("-", "..... ..... ..... ##### ..... ..... ....."),
        (".", "..... ..... ..... ..... ..... .##.. .##.."),
        ("/", "..... ....# ...#. ..#.. .#... #.... ....."),
        ("0", ".###. #...# #..## #.#.# ##..# #...# .###."),
        ("1", "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("2", ".###. #...# ....# ...#. ..#.. .#... #####"),
        ("3", "##### ...#. ..#.. ...#. ....# #...# .###."),
        ("4", "...#. ..##. .#.#. #..#. ##### ...#. ...#."),
        ("5", "##### #.... ####. ....# ....# #...# .###."),
        ("6", "..##. .#... #.... ####. #...# #...# .###."),
        ("7", "##### ....# ...#. ..#.. .#... .#... .#..."),
        ("8", ".###. #...# #...# .###. #...# #...# .###."),
        ("9", ".###. #...# #...# .#### ....# ...#. .##.."),
        (":", "..... .##.. .##.. ..... .##.. .##.. ....."),
        (";", "..... .##.. .##.. ..... .##.. .##.. ..#.. .#..."),
        ("<", "...#. ..#.. .#... #.... .#... ..#.. ...#."),
        ("=", "..... ..... ##### ..... ##### ..... ....."),
        (">", ".#... ..#.. ...#. ....# ...#. ..#.. .#..."),
        ("?", ".###. #...# ....# ...#. ..#.. ..... ..#.."),
        ("@", ".###. #...# ....# .##.# #.#.# #.#.# .###."),
        ("A", ".###. #...# #...# ##### #...# #...# #...#"),
        ("B", "####. #...# #...# ####. #...# #...# ####."),
        ("C", ".###. #...# #.... #.... #.... #...# .###."),
        ("D", "###.. #..#. #...# #...# #...# #..#. ###.."),
        ("E", "##### #.... #.... ####. #.... #.... #####"),
        ("F", "##### #.... #.... ####. #.... #.... #...."),
        ("G", ".###. #...# #.... #.### #...# #...# .####"),
        ("H", "#...# #...# #...# ##### #...# #...# #...#"),
        ("I", ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("J", "..### ...#. ...#. ...#. ...#. #..#. .##.."),
        ("K", "#...# #..#. #.#.. ##... #.#.. #..#. #...#"),
        ("L", "#.... #.... #.... #.... #.... #.... #####"),
        ("M", "#...# ##.## #.#.# #.#.# #...# #...# #...#"),
        ("N", "#...# #...# ##..# #.#.# #..## #...# #...#"),
        ("O", ".###. #...# #...# #...# #...# #...# .###."),
        ("P", "####. #...# #...# ####. #.... #.... #...."),
        ("Q", ".###. #...# #...# #...# #.#.# #..#. .##.#"),
        ("R", "####. #...# #...# ####. #.#.. #..#. #...#"),
        ("S", ".#### #.... #.... .###. ....# ....# ####."),
        ("T", "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("U", "#...# #...# #...# #...# #...# #...# .###."),
        ("V", "#...# #...# #...# #...# #...# .#.#. ..#.."),
        ("W", "#...# #...# #...# #.#.# #.#.# #.#.# .#.#."),
        ("X", "#...# #...# .#.#. ..#.. .#.#. #...# #...#"),
        ("Y", "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#.."),
        ("Z", "##### ....# ...#. ..#.. .#... #.... #####"),
        ("[", ".###. .#... .#... .#... .#... .#... .###."),
        ("\\", "..... #.... .#... ..#.. ...#. ....# ....."),
        ("]", ".###. ...#. ...#. ...#. ...#. ...#. .###."),
        ("^", "..#.. .#.#. #...# ..... ..... ..... ....."),
        ("_", "..... ..... ..... ..... ..... ..... ..... #####"),
        ("`", ".#... ..#.. ...#. ..... ..... ..... ....."),
        ("a", "..... ..... .###. ....# .#### #...# .####"),
        ("b", "#.... #.... #.##. ##..# #...# #...# ####."),
        ("c", "..... ..... .###. #.... #.... #...# .###."),
        ("d", "....# ....# .##.# #..## #...# #...# .####"),
        ("e", "..... ..... .###. #...# ##### #.... .###."),
        ("f", "..##. .#..# .#... ###.. .#... .#... .#..."),
        ("g", "..... ..... .#### #...# #...# #...# .#### ....# .###."),
        ("h", "#.... #.... #.##. ##..# #...# #...# #...#"),
        ("i", "..#.. ..... .##.. ..#.. ..#.. ..#.. .###."),
        ("j", "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##.."),
        ("k", "#.... #.... #..#. #.#.. ##... #.#.. #..#."),
        ("l", ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###."),
        ("m", "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#"),
        ("n", "..... ..... #.##. ##..# #...# #...# #...#"),
        ("o", "..... ..... .###. #...# #...# #...# .###."),
        ("p", "..... ..... ####. #...# #...# #...# ####. #.... #...."),
        ("q", "..... ..... .#### #...# #...# #...# .#### ....# ....#"),
        ("r", "..... ..... #.##. ##..# #.... #.... #...."),
        ("s", "..... ..... .###. #.... .###. ....# ####."),
        ("t", ".#... .#... ###.. .#... .#... .#..# ..##."),
        ("u", "..... ..... #...# #...# #...# #..## .##.#"),
        ("v", "..... ..... #...# #...# #...# .#.#. ..#.."),
        ("w", "..... ..... #...# #...# #.#.# #.#.# .#.#."),
        ("x", "..... ..... #...# .#.#. ..#.. .#.#. #...#"),
        ("y", "..... ..... #...# #...# #...# #...# .#### ....# .###."),
        ("z", "..... ..... ##### ...#. ..#.. .#... #####"),
        ("{", "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#."),
        ("|", "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#.."),
        ("}", ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#..."),
        ("~", "..... ..... .#... #.#.# ...#. ..... ....."),
        ("±", "..#.. ..#.. ##### ..#.. ..#.. ..... #####"),
        ("×", "..... #...# .#.#. ..#.. .#.#. #...# ....."),
        ("↑", "..#.. .###. #.#.# ..#.. ..#.. ..#.. ..#.."),
        ("↓", "..#.. ..#.. ..#.. ..#.. #.#.# .###. ..#.."),
    ]
}

extension BitmapFont {
    /// `text` broken into lines at most `width` pixels wide at `scale`:
    /// at spaces where possible, inside a word only when the word alone is
    /// wider than a line. Never returns an empty list (an empty text is one
    /// empty line); a width below one glyph still gives one glyph per line.
    public static func wrap(_ text: String, width: Int, scale: Int = 1) -> [String] {
        let columns = max(1, (width / max(scale, 1) + advance - glyphWidth) / advance)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var word = word
            let candidate = line.isEmpty ? word : line + " " + word
            if candidate.count <= columns { line = candidate; continue }
            if !line.isEmpty { lines.append(line); line = "" }
            while word.count > columns {
                lines.append(String(word.prefix(columns)))
                word = String(word.dropFirst(columns))
            }
            line = word
        }
        lines.append(line)
        return lines
    }
}
