using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lightdash.Net.Client;

public sealed partial class LightdashClient
{
    /// <summary>Submits a query; answers at once with its id (or a cache hit, ready already).</summary>
    public async Task<SubmittedQuery> SubmitAsync(Guid projectUuid, QueryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = await SendAsync(HttpMethod.Post, $"{Project(projectUuid)}/{request.Route}", request.Body, cancellationToken).ConfigureAwait(false);
        return Submitted(projectUuid, results);
    }

    /// <summary>
    /// Submits a query and waits for its first page: the server holds each request until the query ends
    /// (long-polling with <c>waitMs</c>, woken by the database, never a sleep loop).
    /// </summary>
    /// <exception cref="QueryFailedException">The query failed, was cancelled or expired.</exception>
    /// <exception cref="TimeoutException">It did not end within <paramref name="timeout"/> (it goes on running: wait for it again, or cancel it).</exception>
    public async Task<QueryPage> SubmitAndWaitAsync(Guid projectUuid, QueryRequest request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var deadline = DateTimeOffset.UtcNow + timeout;
        var body = request.With("waitMs", WaitMs(timeout)).Body;
        var results = await SendAsync(HttpMethod.Post, $"{Project(projectUuid)}/{request.Route}", body, cancellationToken).ConfigureAwait(false);
        if (results.TryGetProperty("firstPage", out var first) && first.ValueKind == JsonValueKind.Object)
        {
            var state = QueryAnswers.StateOf(first);
            QueryAnswers.ThrowIfFailed(state);
            if (state.Status == QueryStatus.Ready)
            {
                return QueryAnswers.PageOf(first);
            }
        }

        return await WaitAsync(projectUuid, results.GetProperty("queryUuid").GetGuid(), deadline - DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until the query ends and returns its first page; long-polls the server, never sleeps.</summary>
    /// <exception cref="QueryFailedException">The query failed, was cancelled or expired.</exception>
    /// <exception cref="TimeoutException">It did not end within <paramref name="timeout"/>.</exception>
    public async Task<QueryPage> WaitAsync(Guid projectUuid, Guid queryUuid, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var remaining = deadline - DateTimeOffset.UtcNow;
            var results = await SendAsync(
                HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}?waitMs={WaitMs(remaining)}", null, cancellationToken).ConfigureAwait(false);
            var state = QueryAnswers.StateOf(results);
            QueryAnswers.ThrowIfFailed(state);
            if (state.Status == QueryStatus.Ready)
            {
                return QueryAnswers.PageOf(results);
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"Query {queryUuid} is still {state.Status.ToString().ToLowerInvariant()} after {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    /// <summary>The query's first page once it is ready; null while it is pending, queued or executing.</summary>
    /// <exception cref="QueryFailedException">The query failed, was cancelled or expired.</exception>
    public async Task<QueryPage?> GetResultAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken = default)
    {
        var results = await SendAsync(HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}", null, cancellationToken).ConfigureAwait(false);
        var state = QueryAnswers.StateOf(results);
        QueryAnswers.ThrowIfFailed(state);
        return state.Status == QueryStatus.Ready ? QueryAnswers.PageOf(results) : null;
    }

    /// <summary>Where the query is (status, queue position, rows written so far), without reading rows.</summary>
    public async Task<QueryState> GetStateAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken = default) =>
        QueryAnswers.StateOf(await SendAsync(HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}?pageSize=1", null, cancellationToken).ConfigureAwait(false));

    /// <summary>One page of a ready query (pages from 1; at most 5000 rows a page).</summary>
    public async Task<QueryPage> GetPageAsync(Guid projectUuid, Guid queryUuid, int page, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        var size = pageSize ?? _options.PageSize;
        var results = await SendAsync(
            HttpMethod.Get, $"{Project(projectUuid)}/{queryUuid}?page={page}&pageSize={size}", null, cancellationToken).ConfigureAwait(false);
        var state = QueryAnswers.StateOf(results);
        QueryAnswers.ThrowIfFailed(state);
        return state.Status == QueryStatus.Ready
            ? QueryAnswers.PageOf(results)
            : throw new InvalidOperationException($"Query {queryUuid} is {state.Status.ToString().ToLowerInvariant()}, not ready: wait for it first.");
    }

    /// <summary>Cancels the query (and every identical one it runs for, when none is left waiting).</summary>
    public Task CancelAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"{Project(projectUuid)}/{queryUuid}/cancel", null, cancellationToken);

    /// <summary>Deletes the query and its stored results.</summary>
    public Task DeleteAsync(Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"{Project(projectUuid)}/{queryUuid}", null, cancellationToken);

    /// <summary>The caller's queries in the project, newest first, optionally only those with the given statuses.</summary>
    public async Task<QueryHistory> GetHistoryAsync(
        Guid projectUuid, int page = 1, int pageSize = 25, IEnumerable<QueryStatus>? statuses = null, CancellationToken cancellationToken = default)
    {
        var filter = statuses is null ? "" : string.Concat(statuses.Select(s => $"&status={s.ToString().ToLowerInvariant()}"));
        var results = await SendAsync(HttpMethod.Get, $"{Project(projectUuid)}/history?page={page}&pageSize={pageSize}{filter}", null, cancellationToken).ConfigureAwait(false);
        var queries = results.TryGetProperty("data", out var list) ? list.EnumerateArray().Select(q => q.Clone()).ToList() : [];
        var total = results.TryGetProperty("pagination", out var pagination) && pagination.TryGetProperty("totalResults", out var count) ? count.GetInt64() : queries.Count;
        return new QueryHistory(queries, total);
    }

    /// <summary>Submits several queries at once (SQL ones in one request; others one by one); the answers are in the order given.</summary>
    public async Task<IReadOnlyList<SubmittedQuery>> SubmitBatchAsync(Guid projectUuid, IReadOnlyList<QueryRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count > 0 && requests.All(r => r.Route == "sql"))
        {
            var body = new JsonObject { ["queries"] = new JsonArray([.. requests.Select(r => (JsonNode)r.Body.DeepClone())]) };
            var results = await SendAsync(HttpMethod.Post, $"{Project(projectUuid)}/batch", body, cancellationToken).ConfigureAwait(false);
            return [.. results.GetProperty("queries").EnumerateArray().Select(q => Submitted(projectUuid, q))];
        }

        var submitted = new List<SubmittedQuery>();
        foreach (var request in requests)
        {
            submitted.Add(await SubmitAsync(projectUuid, request, cancellationToken).ConfigureAwait(false));
        }

        return submitted;
    }

    /// <summary>
    /// Waits until every query has ended (long-polling their states together), then answers each one's
    /// state in the order given; read the ready ones' rows with <see cref="ReadRowsAsync{T}"/>.
    /// </summary>
    /// <exception cref="TimeoutException">Some did not end within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<QueryState>> CollectBatchAsync(Guid projectUuid, IReadOnlyList<Guid> queryUuids, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queryUuids);
        var deadline = DateTimeOffset.UtcNow + timeout;
        var ids = string.Join(",", queryUuids);
        while (true)
        {
            var results = await SendAsync(
                HttpMethod.Get, $"{Project(projectUuid)}/batch?ids={ids}&waitMs={WaitMs(deadline - DateTimeOffset.UtcNow)}", null, cancellationToken).ConfigureAwait(false);
            var states = results.GetProperty("queries").EnumerateArray().Select(QueryAnswers.StateOf).ToList();
            if (states.All(s => s.Status.IsFinal()))
            {
                return states;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"{states.Count(s => !s.Status.IsFinal())} of {states.Count} queries had not ended after {timeout.TotalSeconds:0.#} s.");
            }
        }
    }

    private static SubmittedQuery Submitted(Guid projectUuid, JsonElement results) => new(
        projectUuid,
        results.GetProperty("queryUuid").GetGuid(),
        results.TryGetProperty("cacheMetadata", out var cache) && cache.TryGetProperty("cacheHit", out var hit) && hit.GetBoolean());

    private int WaitMs(TimeSpan remaining) => (int)Math.Clamp(remaining.TotalMilliseconds, 0, _options.LongPoll.TotalMilliseconds);
}
