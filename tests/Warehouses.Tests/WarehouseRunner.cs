using System.Buffers;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Common;

namespace Lightdash.Net.Warehouses.Tests;

/// <summary>Runs SQL on a warehouse client and collects each row as the JSON line it would be stored as.</summary>
public static class WarehouseRunner
{
    public static async Task<(IReadOnlyList<ResultColumn> Columns, List<string> Rows)> RunAsync(IWarehouseClient client, string sql, long? limit = null, long? offset = null)
    {
        await using var reader = await client.ExecuteAsync(new WarehouseQuery(sql, limit, offset), CancellationToken.None);
        var rows = new List<string>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            var buffer = new ArrayBufferWriter<byte>();
            await using (var writer = new Utf8JsonWriter(buffer, JsonSerialization.RowWriterOptions))
            {
                reader.WriteRow(writer);
            }

            rows.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        return (reader.Columns, rows);
    }

    /// <summary>The JSON of <c>select {expression} as v</c>.</summary>
    public static async Task<string> ValueOfAsync(IWarehouseClient client, string expression)
    {
        var (_, rows) = await RunAsync(client, $"select {expression} as v");
        using var document = JsonDocument.Parse(rows.Single());
        return document.RootElement.GetProperty("v").GetRawText();
    }
}
