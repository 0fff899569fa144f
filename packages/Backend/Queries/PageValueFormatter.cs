using System.Globalization;
using System.Text.Json;
using Lightdash.Net.Backend.ResultsStorage;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// The text shown for a value of a semantic-layer field: numbers with thousands separators, rounded
/// to the field's <c>round</c>, and shaped by its <c>format</c> (usd, gbp, eur, percent, km, mi, id, or a
/// spreadsheet pattern such as <c>#,##0.00%</c>: see <see cref="SpreadsheetNumberFormat"/>).
/// Values of plain SQL queries keep <see cref="ResultValueFormatter"/>'s text.
/// </summary>
public static class PageValueFormatter
{
    /// <summary>The text of <paramref name="raw"/> for a field of this type, format and rounding.</summary>
    public static string Format(JsonElement raw, ResultFieldResults field)
    {
        if (raw.ValueKind != JsonValueKind.Number || !raw.TryGetDecimal(out var number))
        {
            return ResultValueFormatter.Format(raw);
        }

        if (field.Format == "id")
        {
            return raw.GetRawText();
        }

        if (SpreadsheetNumberFormat.IsPattern(field.Format))
        {
            return SpreadsheetNumberFormat.Format(number, field.Format!);
        }

        if (field.Format == "percent")
        {
            number *= 100;
        }

        // Money shows cents unless the field says otherwise, as in Lightdash.
        var rounding = field.Round ?? (field.Format is "usd" or "gbp" or "eur" ? 2 : null);
        var text = rounding is { } round and >= 0 and <= 20
            ? Math.Round(number, round, MidpointRounding.AwayFromZero).ToString("N" + round.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)
            : number.ToString("#,##0.############", CultureInfo.InvariantCulture);
        return field.Format switch
        {
            "usd" => Currency("$", text),
            "gbp" => Currency("£", text),
            "eur" => Currency("€", text),
            "percent" => text + "%",
            "km" => text + " km",
            "mi" => text + " mi",
            _ => text,
        };
    }

    private static string Currency(string symbol, string text) => text.StartsWith('-') ? "-" + symbol + text[1..] : symbol + text;

    /// <summary>The semantic fields of a query as its history row keeps them (<c>fields</c> JSON), by field id; none for SQL queries.</summary>
    public static IReadOnlyDictionary<string, ResultFieldResults> FieldsOf(string? fieldsJson) =>
        fieldsJson is null ? new Dictionary<string, ResultFieldResults>() : JsonSerializer.Deserialize<Dictionary<string, ResultFieldResults>>(fieldsJson, JsonSerializerOptions.Web) ?? [];

    /// <summary>The rows with each semantic field's value formatted; rows of other fields as they were.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, ResultCell>> Apply(
        IReadOnlyList<IReadOnlyDictionary<string, ResultCell>> rows, IReadOnlyDictionary<string, ResultFieldResults> fields) =>
        rows.Select(row => (IReadOnlyDictionary<string, ResultCell>)row.ToDictionary(
                cell => cell.Key,
                cell => fields.TryGetValue(cell.Key, out var field)
                    ? new ResultCell { Value = new ResultValue { Raw = cell.Value.Value.Raw, Formatted = Format(cell.Value.Value.Raw, field) } }
                    : cell.Value,
                StringComparer.Ordinal))
            .ToList();
}
