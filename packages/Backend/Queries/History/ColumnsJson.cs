using System.Text.Json;
using System.Text.Json.Serialization;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries.History;

/// <summary>How <see cref="ResultColumn"/> lists are stored in <c>query_history.columns</c>.</summary>
public static class ColumnsJson
{
    /// <summary>camelCase names, enums as camelCase strings.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Reads a stored column list.</summary>
    public static IReadOnlyList<ResultColumn> Parse(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<ResultColumn[]>(json, Options) ?? [];
}
