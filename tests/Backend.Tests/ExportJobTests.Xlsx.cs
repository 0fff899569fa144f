using System.Globalization;
using System.IO.Compression;
using MiniExcelLibs;

namespace Lightdash.Net.Backend.Tests;

/// <summary>XLSX exports: typed cells read back by MiniExcel, a valid archive, text as written, rows in order across chunks, the sheet limit.</summary>
public partial class ExportJobTests
{
    [Test]
    public async Task Xlsx_ReadBackByMiniExcel_HasTypedCells()
    {
        var job = await ExportAsync(_typed, new { type = "xlsx" });
        var path = await DownloadAsync(job, "xlsx");

        var rows = MiniExcel.Query(path, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.That(rows, Has.Count.EqualTo(4));
        Assert.That(rows[0].Keys, Is.EqualTo(new[] { "id", "big", "price", "ratio", "day", "at", "at_tz", "done", "label", "doc" }));
        Assert.That(Convert.ToDouble(rows[0]["id"], CultureInfo.InvariantCulture), Is.EqualTo(1));
        Assert.That(Convert.ToDouble(rows[0]["price"], CultureInfo.InvariantCulture), Is.EqualTo(10.5));
        Assert.That(rows[0]["day"], Is.EqualTo(new DateTime(2024, 1, 5)));
        Assert.That(rows[0]["at_tz"], Is.EqualTo(new DateTime(2024, 1, 5, 7, 15, 0)));
        Assert.That(rows[0]["done"], Is.EqualTo(true));
        // XML turns a CR LF inside text into LF when it is read: the line breaks survive as line feeds.
        Assert.That(rows[1]["label"], Is.EqualTo("two\nlines\nhere"));
        Assert.That(rows[2]["big"], Is.Null);
    }

    [Test]
    public async Task Xlsx_BeyondOneSheet_IsTruncatedAtTheSheetLimit_NeverSilently()
    {
        var big = await _host.RunToReadyAsync("select g as n from generate_series(1, 1048600) g order by g");

        var job = await ExportAsync(big, new { type = "xlsx" });

        Assert.That(job.GetProperty("truncated").GetBoolean(), Is.True);
        Assert.That(job.GetProperty("truncatedAt").GetInt64(), Is.EqualTo(1_048_575));
        Assert.That(job.GetProperty("rowCount").GetInt64(), Is.EqualTo(1_048_575));
        Assert.That(job.GetProperty("totalRows").GetInt64(), Is.EqualTo(1_048_600));
        var path = await DownloadAsync(job, "xlsx");
        var last = MiniExcel.Query(path, useHeaderRow: true).Cast<IDictionary<string, object?>>().Last();
        Assert.That(Convert.ToInt64(last["n"], CultureInfo.InvariantCulture), Is.EqualTo(1_048_575));
    }

    [Test]
    public async Task Xlsx_OfManyBlocks_IsAValidArchive_WithEveryRowInOrder_AndTextAsWritten()
    {
        // 41 stored blocks: chunks of the sheet written in parallel and appended in order.
        var many = await _host.RunToReadyAsync(
            "select g as n, case g % 4 when 0 then ' <b>&amp; ' || g || ' </b> ' when 1 then 'ünïcødé ✓ 日本 🙂' when 2 then repeat('x', 40000) else null end as label, "
            + "(g / 7.0)::numeric(12,4) as share from generate_series(1, 40500) g order by g");

        var job = await ExportAsync(many, new { type = "xlsx" });
        var path = await DownloadAsync(job, "xlsx");

        using (var archive = ZipFile.OpenRead(path))
        {
            Assert.That(archive.Entries.Select(e => e.FullName), Is.EquivalentTo(new[]
            {
                "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
            }));
            foreach (var entry in archive.Entries)
            {
                // Reading an entry to its end checks its CRC-32 and size against the central directory.
                using var content = entry.Open();
                Assert.That(() => content.CopyTo(Stream.Null), Throws.Nothing, entry.FullName);
            }
        }

        var rows = MiniExcel.Query(path, useHeaderRow: true).Cast<IDictionary<string, object?>>().ToList();
        Assert.That(rows, Has.Count.EqualTo(40500));
        Assert.That(rows.Select(r => Convert.ToInt64(r["n"], CultureInfo.InvariantCulture)), Is.EqualTo(Enumerable.Range(1, 40500).Select(i => (long)i)));
        Assert.That(rows[3]["label"], Is.EqualTo(" <b>&amp; 4 </b> "), "markup and spaces kept as text");
        Assert.That(rows[0]["label"], Is.EqualTo("ünïcødé ✓ 日本 🙂"));
        Assert.That(rows[1]["label"], Is.EqualTo(new string('x', 32767)), "clipped to what a cell holds");
        Assert.That(rows[2]["label"], Is.Null);
        Assert.That(Convert.ToDecimal(rows[6]["share"], CultureInfo.InvariantCulture), Is.EqualTo(1m));
    }
}
