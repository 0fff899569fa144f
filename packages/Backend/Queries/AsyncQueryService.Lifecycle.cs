using System.IO.Pipelines;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.Execution;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;

namespace Lightdash.Net.Backend.Queries;

// AsyncQueryService, continued: lifecycle.
public sealed partial class AsyncQueryService
{
    /// <summary>Cancels a query that has not finished: its row turns <c>cancelled</c> and its worker, on any instance, stops.</summary>
    public async Task<CancelQueryResults> CancelAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        if (!await CancelIfActiveAsync(queryUuid, cancellationToken))
        {
            var current = await history.GetAsync(projectUuid, queryUuid, user.UserUuid, cancellationToken);
            throw new ConflictException(
                $"Query {queryUuid} is already {current.Status.ToName()}; only pending, queued or executing queries can be cancelled.");
        }

        return new CancelQueryResults { QueryUuid = queryUuid, Status = QueryStatus.Cancelled.ToName() };
    }

    /// <summary>Deletes the query (cancelling it first if it runs), and its results file when no other query shares it.</summary>
    public async Task<DeleteQueryResults> DeleteAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        return new DeleteQueryResults { QueryUuid = queryUuid, ResultsDeleted = await RemoveAsync(query, cancellationToken) };
    }

    /// <summary>
    /// Removes a query whose caller was checked already (or that the system ends): cancels it if it runs,
    /// deletes its row, its exports, and its results file unless another query shares it. True when the file was deleted.
    /// </summary>
    public async Task<bool> RemoveAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        var queryUuid = query.QueryUuid;
        if (query.Status.IsActive())
        {
            await CancelIfActiveAsync(queryUuid, cancellationToken);
        }

        var fileName = await history.DeleteAsync(queryUuid, cancellationToken);
        var deleteFile = fileName is not null && !await history.IsFileReferencedAsync(fileName, cancellationToken);
        if (deleteFile)
        {
            await results.DeleteAsync(fileName, cancellationToken);
        }

        // Its exports are copies of its rows: a presigned link must not outlive the query.
        await results.DeleteExportsAsync(query.ProjectUuid, queryUuid, cancellationToken);

        logger.LogInformation("Query {QueryUuid} deleted (results file deleted: {ResultsDeleted})", queryUuid, deleteFile);
        return deleteFile;
    }

    /// <summary>The query, which must be ready (409 otherwise).</summary>
    public async Task<QueryHistoryRecord> GetReadyQueryAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        var query = await GetOwnQueryAsync(user, projectUuid, queryUuid, cancellationToken);
        return query.Status switch
        {
            QueryStatus.Ready => query,
            QueryStatus.Expired => throw new ConflictException(ExpiredMessage(query)),
            _ => throw new ConflictException($"Query {queryUuid} is {query.Status.ToName()}; its results are available once it is ready."),
        };
    }

    /// <summary>Writes a ready query's whole result as JSON lines, streamed, never held in memory.</summary>
    public Task WriteAllResultsAsync(QueryHistoryRecord query, PipeWriter destination, CancellationToken cancellationToken) =>
        results.CopyAllAsync(HistoryResultSources.Of(query), destination, cancellationToken);

    /// <summary>The wait a request asked for, validated against <see cref="QueryExecutionOptions.MaxWaitMs"/>.</summary>
    public TimeSpan ValidateWait(int? waitMs) => waitMs switch
    {
        null or 0 => TimeSpan.Zero,
        < 0 => throw new ValidationException($"waitMs must be 0 or more (got {waitMs})."),
        _ when waitMs > _options.MaxWaitMs => throw new ValidationException($"waitMs must be at most {_options.MaxWaitMs} (got {waitMs})."),
        _ => TimeSpan.FromMilliseconds(waitMs.Value),
    };

    /// <summary>The caller's own query in a project they are a member of; 404 for anyone else's.</summary>
    public async Task<QueryHistoryRecord> GetOwnQueryAsync(CurrentUser user, Guid projectUuid, Guid queryUuid, CancellationToken cancellationToken)
    {
        // Both reads at once: the row is looked up by project and owner, so reading it before the access
        // check answers reveals nothing, and a poll costs one database round trip of waiting, not two.
        var row = history.GetAsync(projectUuid, queryUuid, user.UserUuid, cancellationToken);
        try
        {
            await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        }
        catch
        {
            // The access failure is the answer; the row's outcome (perhaps its own 404) is not.
            await row.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            throw;
        }

        return await row;
    }

    // Only for queries that asked to be cancelled when unread, and not at every poll: at most once a
    // second, and four times within their unread time.
    private async Task MarkReadAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        if (query.CancelIfUnreadMs is { } unreadMs && query.Status.IsActive()
            && (query.LastReadAt is not { } last
                || DateTime.UtcNow - DateTime.SpecifyKind(last, DateTimeKind.Utc) > TimeSpan.FromMilliseconds(Math.Min(1000, unreadMs / 4))))
        {
            await history.MarkReadAsync(query.QueryUuid, cancellationToken);
        }
    }

    private async Task<QueryProgressResults?> ProgressAsync(QueryHistoryRecord query, CancellationToken cancellationToken)
    {
        switch (query.Status)
        {
            case QueryStatus.Executing:
                return new QueryProgressResults
                {
                    RowsWritten = query.RowsWritten ?? 0,
                    BytesWritten = query.BytesWritten ?? 0,
                    ElapsedMs = query.ProcessingStartedAt is { } started ? (long)(DateTime.UtcNow - DateTime.SpecifyKind(started, DateTimeKind.Utc)).TotalMilliseconds : null,
                };
            case QueryStatus.Pending or QueryStatus.Queued when query.JoinedQueryUuid is null:
                var place = await history.QueuePlaceAsync(query.QueryUuid, cancellationToken);
                return new QueryProgressResults
                {
                    QueuePosition = place.Position,
                    WaitingFor = place.UserSlots >= authOptions.Value.MaxExecutingQueriesPerUser ? "userLimit"
                        : place.ProjectSlots >= (place.ProjectCap ?? _options.MaxWarehouseStatementsPerProject) ? "warehouseLimit"
                        : "workersBusy",
                };
            default:
                return null;
        }
    }

    /// <summary>Cancels the query if it is pending, queued or executing; false when it was not.</summary>
    public async Task<bool> CancelIfActiveAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        if (!await history.CancelAsync(queryUuid, cancellationToken))
        {
            return false;
        }

        // Stop it at once when it runs here, and poll it afresh here; other instances hear the notification.
        running.Cancel(queryUuid);
        statuses.Invalidate(queryUuid);
        logger.LogInformation("Query {QueryUuid} cancelled", queryUuid);
        if (await cache.PromoteFollowersAsync(queryUuid, cancellationToken) is { } newLeader)
        {
            // Queries that had joined this one still want their results: the oldest runs for them all.
            logger.LogInformation("Query {QueryUuid} now runs for the queries that had joined {CancelledUuid}", newLeader, queryUuid);
            await queue.EnqueueAsync(newLeader, cancellationToken);
        }

        return true;
    }

    private static string ExpiredMessage(QueryHistoryRecord query) =>
        query.Error is { } error && query.ResultsExpiresAt is null
            ? error
            : $"The results of query {query.QueryUuid} expired{(query.ResultsExpiresAt is { } at ? $" at {Timestamps.Utc(at):u}" : "")} and were deleted; run the query again."
              + (query.Error is { } original ? $" It had failed: {original}" : "");
}
