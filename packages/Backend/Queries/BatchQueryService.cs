using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

/// <summary>Submits several queries at once and collects their states.</summary>
public sealed class BatchQueryService(AsyncQueryService queries, QueryWaiter waiter)
{
    /// <summary>The most queries one batch may hold.</summary>
    public const int MaxBatchSize = 100;

    /// <summary>Validates every query first (none is submitted when one is invalid), then submits them in order.</summary>
    public async Task<BatchExecuteResults> SubmitAsync(CurrentUser user, Guid projectUuid, BatchExecuteRequest request, CancellationToken cancellationToken)
    {
        var items = request.Queries ?? [];
        if (items.Count is 0 or > MaxBatchSize)
        {
            throw new ValidationException($"queries must hold 1 to {MaxBatchSize} queries (got {items.Count}).");
        }

        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                queries.ValidateSql(items[i]);
            }
            catch (ValidationException e)
            {
                throw new ValidationException($"queries[{i}]: {e.Message}");
            }
        }

        var submitted = new List<ExecuteQueryResults>(items.Count);
        foreach (var item in items)
        {
            // Each query answers at once: the batch's states are read with GET .../batch.
            var (project, submission) = await queries.PrepareSqlAsync(user, projectUuid, item, cancellationToken);
            submitted.Add(await queries.SubmitAndWaitAsync(user, project, submission, null, cancellationToken));
        }

        return new BatchExecuteResults { Queries = submitted };
    }

    /// <summary>The states of the queries; with <paramref name="waitMs"/>, waits until all are final or the time is up.</summary>
    public async Task<BatchStatusResults> GetStatesAsync(CurrentUser user, Guid projectUuid, IReadOnlyCollection<string>? ids, int? waitMs, CancellationToken cancellationToken)
    {
        var queryUuids = ParseIds(ids);
        var wait = queries.ValidateWait(waitMs);
        var deadline = DateTime.UtcNow + wait;
        var states = new List<BatchQueryState>(queryUuids.Count);
        foreach (var queryUuid in queryUuids)
        {
            var query = await queries.GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
            var remaining = deadline - DateTime.UtcNow;
            if (query.Status.IsActive() && remaining > TimeSpan.Zero)
            {
                query = await waiter.WaitForFinalStateAsync(queryUuid, remaining, cancellationToken) ?? query;
            }

            states.Add(new BatchQueryState
            {
                QueryUuid = queryUuid,
                Status = query.Status.ToName(),
                Error = query.Error,
                TotalResults = query.Status == QueryStatus.Ready ? query.TotalRowCount : null,
                CacheHit = query.CacheHit,
            });
        }

        return new BatchStatusResults { Queries = states };
    }

    private static List<Guid> ParseIds(IReadOnlyCollection<string>? ids)
    {
        var parsed = new List<Guid>();
        foreach (var part in (ids ?? []).OfType<string>().SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            parsed.Add(Guid.TryParse(part, out var id) ? id : throw new ValidationException($"ids: \"{part}\" is not a query uuid."));
        }

        return parsed.Count is 0 or > MaxBatchSize
            ? throw new ValidationException($"ids must name 1 to {MaxBatchSize} queries (got {parsed.Count}).")
            : parsed;
    }
}
