using System.Buffers;
using System.Globalization;
using System.Text;
using Lightdash.Net.Backend.ResultsStorage.Exports;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Sheet cells as bytes: dates as Excel serials written without floating point, text escaped for XML.</summary>
public class XlsxCellsTests
{
    private static string Cell(Action<IBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string Value(string cell) => cell[(cell.IndexOf("<v>", StringComparison.Ordinal) + 3)..cell.IndexOf("</v>", StringComparison.Ordinal)];

    [Test]
    public void Timestamps_AreTheirExactSerials_ToTenDigits_AndReadBackToTheMillisecond()
    {
        var random = new Random(31);
        var start = new DateTime(1900, 3, 1).Ticks;
        var span = new DateTime(2200, 1, 1).Ticks - start;
        for (var i = 0; i < 100_000; i++)
        {
            var value = new DateTime(start + random.NextInt64(span));
            var written = Value(Cell(o => XlsxCells.WriteDate(o, value, withTime: true)));
            var exact = (decimal)(value - new DateTime(1899, 12, 30)).Ticks / TimeSpan.TicksPerDay;
            Assert.That(Math.Abs(decimal.Parse(written, CultureInfo.InvariantCulture) - exact), Is.LessThanOrEqualTo(0.00000000005m), value.ToString("O", CultureInfo.InvariantCulture));
            Assert.That(DateTime.FromOADate(double.Parse(written, CultureInfo.InvariantCulture)) - value, Is.InRange(TimeSpan.FromMilliseconds(-1), TimeSpan.FromMilliseconds(1)), "read back to the millisecond (FromOADate rounds to one)");
        }
    }

    [TestCase("2024-01-05T00:00:00", "45296", "1")]
    [TestCase("2024-01-05T12:00:00", "45296.5", "2")]
    [TestCase("2024-01-05T23:59:59.9999999", "45297", "2")]
    [TestCase("1899-12-31T06:00:00", "1.25", "2")]
    public void Dates_AreWholeDays_AndTheirStyleSaysHowToShowThem(string at, string serial, string style)
    {
        var value = DateTime.Parse(at, CultureInfo.InvariantCulture);

        var cell = Cell(o => XlsxCells.WriteDate(o, value, withTime: style == "2"));

        Assert.That(cell, Is.EqualTo($"<c s=\"{style}\"><v>{serial}</v></c>"));
    }

    [TestCase("a<b & c>d", "<c t=\"inlineStr\"><is><t>a&lt;b &amp; c&gt;d</t></is></c>")]
    [TestCase(" padded ", "<c t=\"inlineStr\"><is><t xml:space=\"preserve\"> padded </t></is></c>")]
    [TestCase("bell\u0007", "<c t=\"inlineStr\"><is><t>bell_x0007_</t></is></c>")]
    [TestCase("", "<c t=\"inlineStr\"><is><t></t></is></c>")]
    public void Text_IsEscapedForXml(string text, string expected) =>
        Assert.That(Cell(o => XlsxCells.WriteText(o, text)), Is.EqualTo(expected));
}
