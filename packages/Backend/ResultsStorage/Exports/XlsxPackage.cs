using System.Buffers;

namespace Lightdash.Net.Backend.ResultsStorage.Exports;

/// <summary>
/// The fixed parts of a one-sheet workbook (SpreadsheetML): content types, relationships, the workbook,
/// the styles its cells use (<see cref="DateStyle"/>, <see cref="DateTimeStyle"/>), and what opens and
/// closes the sheet's XML around its rows.
/// </summary>
public static class XlsxPackage
{
    /// <summary>The style index of a date cell (built-in short date format).</summary>
    public const int DateStyle = 1;

    /// <summary>The style index of a date-and-time cell (<c>yyyy-mm-dd hh:mm:ss</c>).</summary>
    public const int DateTimeStyle = 2;

    /// <summary>The sheet's entry in the archive.</summary>
    public const string SheetEntry = "xl/worksheets/sheet1.xml";

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    /// <summary>The entries before the sheet, each stored whole.</summary>
    public static IReadOnlyList<(string Name, byte[] Content)> FixedEntries { get; } =
    [
        ("[Content_Types].xml", Utf8(
            "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
            + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
            + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
            + "</Types>")),
        ("_rels/.rels", Utf8(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + $"<Relationship Id=\"rId1\" Type=\"{Relationships}/officeDocument\" Target=\"xl/workbook.xml\"/>"
            + "</Relationships>")),
        ("xl/workbook.xml", Utf8(
            $"<workbook xmlns=\"{Main}\" xmlns:r=\"{Relationships}\"><sheets><sheet name=\"Results\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
        ("xl/_rels/workbook.xml.rels", Utf8(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + $"<Relationship Id=\"rId1\" Type=\"{Relationships}/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
            + $"<Relationship Id=\"rId2\" Type=\"{Relationships}/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>")),
        ("xl/styles.xml", Utf8(
            $"<styleSheet xmlns=\"{Main}\">"
            + "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd hh:mm:ss\"/></numFmts>"
            + "<fonts count=\"1\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
            + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
            + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
            + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
            + "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
            + "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
            + "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/></cellXfs>"
            + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
            + "</styleSheet>")),
    ];

    /// <summary>What opens the sheet's XML, then its header row of column names.</summary>
    public static void WriteSheetStart(IReadOnlyList<string> columnNames, IBufferWriter<byte> output)
    {
        output.Write(Utf8($"<worksheet xmlns=\"{Main}\"><sheetData><row>"));
        foreach (var name in columnNames)
        {
            XlsxCells.WriteText(output, name);
        }

        output.Write("</row>"u8);
    }

    /// <summary>What closes the sheet's XML.</summary>
    public static ReadOnlySpan<byte> SheetEnd => "</sheetData></worksheet>"u8;

    private static byte[] Utf8(string xml) => System.Text.Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" + xml);
}
