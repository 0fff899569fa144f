using System.Text.Json;
using Lightdash.Net.Backend.Queries;

namespace Lightdash.Net.Backend.Tests;

public class FieldValueFormatterTests
{
    private static ResultFieldResults Field(string? format = null, int? round = null) =>
        new() { Label = "x", Type = "sum", FieldType = "metric", Table = "t", Format = format, Round = round };

    private static string Format(string json, ResultFieldResults field) => PageValueFormatter.Format(JsonDocument.Parse(json).RootElement, field);

    [TestCase("1234567.891", null, null, "1,234,567.891")]
    [TestCase("1234567.891", null, 2, "1,234,567.89")]
    [TestCase("2.5", null, 0, "3")]
    [TestCase("1234.5", "usd", 2, "$1,234.50")]
    [TestCase("-1234.5", "gbp", 2, "-£1,234.50")]
    [TestCase("99", "eur", null, "€99.00")]
    [TestCase("0.1234", "percent", 1, "12.3%")]
    [TestCase("12.5", "km", null, "12.5 km")]
    [TestCase("1234567", "id", null, "1234567")]
    public void Numbers_FollowFormatAndRound(string raw, string? format, int? round, string expected) =>
        Assert.That(Format(raw, Field(format, round)), Is.EqualTo(expected));

    [TestCase("0.123456", "#,##0.00%", "12.35%")]
    [TestCase("12.3456", "#,##0.0%", "1,234.6%")]
    [TestCase("1234.5", "$#,##0.00", "$1,234.50")]
    [TestCase("-1234.5", "$#,##0.00", "-$1,234.50")]
    [TestCase("-1234.5", "$#,##0.00;($#,##0.00)", "($1,234.50)")]
    [TestCase("1234567", "#,##0,\"K\"", "1,235K")]
    [TestCase("1234.5678", "0.0", "1234.6")]
    [TestCase("0.5", "#.##", ".5")]
    [TestCase("7", "000", "007")]
    [TestCase("99.999", "[$€-407]#,##0.00", "€100.00")]
    [TestCase("3", "\"about \"0\" units\"", "about 3 units")]
    public void SpreadsheetFormats_AreApplied(string raw, string format, string expected) =>
        Assert.That(Format(raw, Field(format, round: 5)), Is.EqualTo(expected), "the pattern decides the decimals; round is ignored");

    [TestCase("null", "∅")]
    [TestCase("\"text\"", "text")]
    [TestCase("true", "true")]
    public void OtherValues_KeepTheirText(string raw, string expected) =>
        Assert.That(Format(raw, Field("usd", 2)), Is.EqualTo(expected));
}
