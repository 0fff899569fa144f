using System.Text.Json;
using Hangfire;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Queries.Execution;

/// <summary>
/// Tells a query's callback address that the query ended: POSTs <c>{queryUuid, status, totalRows, error,
/// links}</c>, signed like delivery webhooks, and tries again with backoff (each try a delayed job of its
/// own, so that a restart loses none) until the receiver answers 2xx or the tries run out.
/// </summary>
public sealed class QueryCallbackJob(
    QueryHistoryStore history,
    QueryCallbackStore callbacks,
    WebhookSender sender,
    SecretBox secrets,
    IBackgroundJobClient jobs,
    IOptions<WebhookOptions> options,
    ILogger<QueryCallbackJob> logger)
{
    /// <summary>The recurring job that sends callbacks whose queries ended while no instance heard it.</summary>
    public const string RecurringJobId = "query-callbacks";

    private const int SweepBatch = 100;

    /// <summary>Claims the query's callback if it has ended and starts sending it; called on every instance that hears the query end.</summary>
    public async Task StartIfEndedAsync(Guid queryUuid, CancellationToken cancellationToken)
    {
        if (await callbacks.TryClaimAsync(queryUuid, cancellationToken))
        {
            jobs.Enqueue<QueryCallbackJob>(Workloads.SystemQueue, job => job.SendAsync(queryUuid, 1, CancellationToken.None));
        }
    }

    /// <summary>Starts the callbacks of queries that ended unheard (a missed notification, a restart).</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        foreach (var queryUuid in await callbacks.ClaimEndedAsync(SweepBatch, cancellationToken))
        {
            jobs.Enqueue<QueryCallbackJob>(Workloads.SystemQueue, job => job.SendAsync(queryUuid, 1, CancellationToken.None));
        }
    }

    /// <summary>Makes one try; schedules the next after a failure, until the tries run out.</summary>
    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Callback of query {0}, try {1}")]
    public async Task SendAsync(Guid queryUuid, int attempt, CancellationToken cancellationToken)
    {
        if (await history.FindAsync(queryUuid, cancellationToken) is not { CallbackUrl: { } url } query)
        {
            return;
        }

        var secret = query.CallbackSecret is { } sealedSecret ? secrets.Unprotect(sealedSecret, QueryCallbacks.SecretColumn) : null;
        var call = await sender.SendAsync(new Uri(url), secret, queryUuid, PayloadOf(query), cancellationToken);
        await callbacks.RecordAttemptAsync(
            queryUuid, new QueryCallbackAttempt(attempt, DateTime.UtcNow, call.StatusCode, call.Error, (long)call.Elapsed.TotalMilliseconds), CancellationToken.None);
        if (call.Succeeded)
        {
            logger.LogInformation("Callback of query {QueryUuid} delivered (try {Attempt})", queryUuid, attempt);
            await callbacks.FinishAsync(queryUuid, delivered: true, CancellationToken.None);
        }
        else if (attempt < options.Value.WebhookAttempts)
        {
            var delay = options.Value.DelayAfter(attempt);
            logger.LogWarning("Callback of query {QueryUuid} failed (try {Attempt}): {Error}; trying again in {Delay}", queryUuid, attempt, call.Error, delay);
            jobs.Schedule<QueryCallbackJob>(Workloads.SystemQueue, job => job.SendAsync(queryUuid, attempt + 1, CancellationToken.None), delay);
        }
        else
        {
            logger.LogWarning("Callback of query {QueryUuid} failed after {Attempt} tries: {Error}", queryUuid, attempt, call.Error);
            await callbacks.FinishAsync(queryUuid, delivered: false, CancellationToken.None);
        }
    }

    /// <summary>What the receiver is told: the query, how it ended, and where its rows are (paths under the API's address).</summary>
    public static byte[] PayloadOf(QueryHistoryRecord query)
    {
        var results = $"/api/v2/projects/{query.ProjectUuid}/query/{query.QueryUuid}";
        return JsonSerializer.SerializeToUtf8Bytes(
            new
            {
                queryUuid = query.QueryUuid,
                projectUuid = query.ProjectUuid,
                status = query.Status.ToName(),
                totalRows = query.Status == QueryStatus.Ready ? query.TotalRowCount : null,
                error = query.Error,
                errorSqlState = query.ErrorSqlState,
                links = query.Status == QueryStatus.Ready ? new { results, rows = $"{results}/results" } : null,
            },
            JsonSerializerOptions.Web);
    }
}
