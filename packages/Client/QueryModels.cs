using System.Text.Json;

namespace Lightdash.Net.Client;

/// <summary>A submitted query.</summary>
/// <param name="ProjectUuid">The project it runs on.</param>
/// <param name="QueryUuid">Its id: poll, page, cancel with it.</param>
/// <param name="CacheHit">True when a fresh stored result answered it (it is ready already).</param>
public sealed record SubmittedQuery(Guid ProjectUuid, Guid QueryUuid, bool CacheHit);

/// <summary>Where a query is: its status and, while it waits or runs, how far it got.</summary>
/// <param name="QueryUuid">The query.</param>
/// <param name="Status">Its status.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="ErrorSqlState">The warehouse's SQLSTATE of that failure, when there is one.</param>
/// <param name="Priority">How it is picked up among the queued queries (<c>high</c>, <c>normal</c>, <c>low</c>), when the server says.</param>
/// <param name="QueuePosition">While queued: how many queries are ahead of it.</param>
/// <param name="RowsWritten">While executing: the rows stored so far.</param>
public sealed record QueryState(Guid QueryUuid, QueryStatus Status, string? Error, string? ErrorSqlState, string? Priority, long? QueuePosition, long? RowsWritten);

/// <summary>One page of a ready query's rows, each row as an object of raw values keyed by field id.</summary>
/// <param name="QueryUuid">The query.</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="TotalPageCount">How many pages there are at this page size.</param>
/// <param name="TotalResults">How many rows the whole result has.</param>
/// <param name="Columns">Each column's field id and type (<c>string</c>, <c>number</c>, <c>timestamp</c>...).</param>
/// <param name="Rows">The rows: <c>{"order_id": 201, "amount": 12.34}</c>.</param>
public sealed record QueryPage(Guid QueryUuid, int Page, int TotalPageCount, long TotalResults, IReadOnlyDictionary<string, string> Columns, IReadOnlyList<JsonElement> Rows)
{
    /// <summary>The next page's number, or null on the last.</summary>
    public int? NextPage => Page < TotalPageCount ? Page + 1 : null;
}

/// <summary>A page of the project's query history, newest first.</summary>
/// <param name="Queries">Each query's row as the API shows it (status, timings, row count, error, priority...).</param>
/// <param name="TotalResults">How many queries match.</param>
public sealed record QueryHistory(IReadOnlyList<JsonElement> Queries, long TotalResults);

/// <summary>What the API answers about a query: turned into <see cref="QueryState"/> and <see cref="QueryPage"/>.</summary>
internal static class QueryAnswers
{
    public static QueryState StateOf(JsonElement results) => new(
        results.GetProperty("queryUuid").GetGuid(),
        QueryStatusNames.Parse(results.GetProperty("status").GetString()),
        String(results, "error"),
        String(results, "errorSqlState"),
        String(results, "priority"),
        results.TryGetProperty("progress", out var progress) ? Long(progress, "queuePosition") : null,
        results.TryGetProperty("progress", out var written) ? Long(written, "rowsWritten") : null);

    public static QueryPage PageOf(JsonElement results)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        if (results.TryGetProperty("columns", out var c) && c.ValueKind == JsonValueKind.Object)
        {
            foreach (var column in c.EnumerateObject())
            {
                columns[column.Name] = column.Value.TryGetProperty("type", out var type) ? type.GetString() ?? "" : "";
            }
        }

        var rows = new List<JsonElement>();
        if (results.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Array)
        {
            foreach (var row in r.EnumerateArray())
            {
                rows.Add(RawValues.Of(row));
            }
        }

        return new QueryPage(
            results.GetProperty("queryUuid").GetGuid(),
            results.TryGetProperty("page", out var page) ? page.GetInt32() : 1,
            results.TryGetProperty("totalPageCount", out var pages) ? pages.GetInt32() : 1,
            results.TryGetProperty("totalResults", out var total) ? total.GetInt64() : rows.Count,
            columns,
            rows);
    }

    /// <summary>Throws <see cref="QueryFailedException"/> for a query that ended without results.</summary>
    public static void ThrowIfFailed(QueryState state)
    {
        if (state.Status is QueryStatus.Error or QueryStatus.Cancelled or QueryStatus.Expired)
        {
            throw new QueryFailedException(state.QueryUuid, state.Status, state.Error ?? $"The query ended {state.Status.ToString().ToLowerInvariant()}.", state.ErrorSqlState);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;
}
