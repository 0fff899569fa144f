using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lightdash.Net.Warehouses;

/// <summary>The JSON settings every result row is written with.</summary>
public static class JsonSerialization
{
    /// <summary>
    /// Leaves non-ASCII text as UTF-8 instead of <c>\uXXXX</c> escapes (smaller files, same values);
    /// quotes, control characters and line breaks are still escaped, so a row stays one line.
    /// </summary>
    public static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>Writer options for result rows: compact, relaxed escaping, no validation cost per token.</summary>
    public static readonly JsonWriterOptions RowWriterOptions = new()
    {
        Encoder = Encoder,
        Indented = false,
        SkipValidation = true,
    };
}
