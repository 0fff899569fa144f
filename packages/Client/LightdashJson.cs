using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lightdash.Net.Client;

/// <summary>The JSON conventions of the API: camelCase names, nulls left out of requests.</summary>
internal static class LightdashJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
