using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>A statement's answer (Snowflake's SQL API shape): its handle, state and, once done, a partition of rows.</summary>
/// <param name="StatementHandle">The handle: read it again, read other partitions, cancel it.</param>
/// <param name="Done">True when it has finished (rows below); false while it runs.</param>
/// <param name="Rows">The partition's rows, each a list of values as text (null for SQL NULL).</param>
/// <param name="Partitions">How many partitions the result has (read each with <see cref="LightdashClient.GetStatementPartitionAsync"/>); partitions after the first carry only their rows (0 here).</param>
/// <param name="TotalRows">The rows of the whole result.</param>
/// <param name="Columns">The columns' names, in order.</param>
public sealed record StatementResult(Guid StatementHandle, bool Done, IReadOnlyList<IReadOnlyList<string?>> Rows, int Partitions, long TotalRows, IReadOnlyList<string> Columns)
{
    internal static StatementResult Of(JsonElement answer, bool done, Guid? knownHandle)
    {
        var rows = answer.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray().Select(r => (IReadOnlyList<string?>)[.. r.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString())]).ToList()
            : [];
        var meta = answer.TryGetProperty("resultSetMetaData", out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        return new StatementResult(
            answer.TryGetProperty("statementHandle", out var handle) ? handle.GetGuid() : knownHandle ?? Guid.Empty,
            done,
            rows,
            meta is { } p && p.TryGetProperty("partitionInfo", out var info) ? info.GetArrayLength() : (done ? 1 : 0),
            meta is { } n && n.TryGetProperty("numRows", out var numRows) ? numRows.GetInt64() : rows.Count,
            meta is { } t && t.TryGetProperty("rowType", out var types) ? [.. types.EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? "")] : []);
    }
}

/// <summary>A value bound to a statement's placeholder (<c>?</c> or <c>:1</c>): Snowflake's type name and the value as text.</summary>
/// <param name="Type">FIXED, REAL, TEXT, BOOLEAN, DATE, TIMESTAMP_NTZ...</param>
/// <param name="Value">The value as text, or null for NULL.</param>
public sealed record StatementBinding(string Type, string? Value);

/// <summary>An export job of a query's results: its state and, once completed, a link to its file.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Status">queued, running, completed, error or cancelled.</param>
/// <param name="FileUrl">A presigned link to the file, once completed.</param>
/// <param name="RowsWritten">Rows written so far.</param>
/// <param name="Error">Why it failed, when it did.</param>
public sealed record ExportJob(Guid JobId, string Status, Uri? FileUrl, long RowsWritten, string? Error)
{
    internal static ExportJob Of(JsonElement job) => new(
        job.GetProperty("jobId").GetGuid(),
        job.GetProperty("status").GetString() ?? "",
        job.TryGetProperty("fileUrl", out var url) && url.ValueKind == JsonValueKind.String ? new Uri(url.GetString()!) : null,
        job.TryGetProperty("rowsWritten", out var rows) && rows.ValueKind == JsonValueKind.Number ? rows.GetInt64() : 0,
        job.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);
}
