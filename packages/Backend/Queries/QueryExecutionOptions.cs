using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Queries;

/// <summary>How queries run and how their pages are served.</summary>
public sealed class QueryExecutionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "QueryExecution";

    /// <summary>Queries this instance runs at once (Hangfire workers). Each holds one warehouse connection.</summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = 8;

    /// <summary>
    /// Workers of this instance kept for users with nothing running: a user who already runs a query
    /// gets a worker only while more than this many are free (default: a quarter of
    /// <see cref="WorkerCount"/>, at least one, when left at -1). So one or two users with many long
    /// queries cannot make everyone else wait; 0 turns the reserve off.
    /// </summary>
    [Range(-1, 256)]
    public int ReservedWorkers { get; set; } = -1;

    /// <summary>The workers a user who already runs a query may share on this instance.</summary>
    public int SharedWorkers => Math.Max(1, WorkerCount - (ReservedWorkers >= 0 ? ReservedWorkers : Math.Max(1, WorkerCount / 4)));

    /// <summary>The page size when a read names none.</summary>
    [Range(1, 100_000)]
    public int DefaultPageSize { get; set; } = 500;

    /// <summary>The largest page a read may ask for.</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 5000;

    /// <summary>The longest SQL text accepted, in characters.</summary>
    [Range(1, 10_000_000)]
    public int MaxSqlLength { get; set; } = 1_000_000;

    /// <summary>
    /// How often an idle worker looks for queued jobs when no announcement woke it (every enqueue announces its
    /// queue through PostgreSQL's NOTIFY, which wakes one idle worker of that queue on each instance at once:
    /// see <see cref="Execution.JobQueueWake"/>): each look is a transaction on the metadata database.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A job a worker took from the queue and stopped keeping alive (its instance died before the job
    /// claimed its query) is taken again by another worker after this long. Running jobs keep theirs alive
    /// (a sliding timeout), so it bounds only how long work of a dead instance waits.
    /// </summary>
    public TimeSpan JobInvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The longest a warehouse statement may run (a project may set its own, a request a shorter one);
    /// the warehouse stops it (PostgreSQL's statement_timeout, DuckDB's interrupt) and the query ends in <c>error</c>.
    /// </summary>
    public TimeSpan StatementTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long results are kept and reused from the cache (a project may set its own).</summary>
    public TimeSpan ResultsTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a failed query's row stays <c>error</c> before it turns <c>expired</c>.</summary>
    public TimeSpan ErrorTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A query queued longer than this (no worker took it) turns <c>expired</c>.</summary>
    public TimeSpan MaxQueueTime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>History rows older than this are deleted once final and without live results.</summary>
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>When the expiry sweep runs (Hangfire cron; default every minute).</summary>
    public string ExpirySweepCron { get; set; } = "* * * * *";

    /// <summary>How often a running query's worker records how many rows and bytes it has written (one small update, not one per block).</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a running query's worker renews its lease.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A query whose lease was not renewed for this long lost its worker (the backend died): it is re-run or failed.</summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each worker instance wakes queries a limit held back for longer than this (a released slot
    /// wakes them at once; the sweep covers holds no release saw).
    /// </summary>
    public TimeSpan HeldSweepInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How many times a query is started before a lost worker fails it instead of re-running it.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 2;

    /// <summary>When the reaper of lapsed leases runs (Hangfire cron; default every minute).</summary>
    public string ReaperCron { get; set; } = "* * * * *";

    /// <summary>The longest a request may wait for a query (<c>waitMs</c>).</summary>
    [Range(0, 300_000)]
    public int MaxWaitMs { get; set; } = 30_000;

    /// <summary>A cached result is reused only with at least min(10 min, TTL/4) of life left.</summary>
    public static TimeSpan ReuseBuffer(TimeSpan ttl) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(10).Ticks, ttl.Ticks / 4));

    /// <summary>
    /// The most statements one project's queries hold open on its warehouse at once, across every
    /// instance, unless the project sets its own; further queries wait queued
    /// (<c>waitingFor: "warehouseLimit"</c>). Default 8.
    /// </summary>
    [Range(1, 1000)]
    public int MaxWarehouseStatementsPerProject { get; set; } = 8;

    /// <summary>Workers of batch work per instance (export jobs, deliveries and their queries, compose over stored results). Default 2.</summary>
    [Range(1, 256)]
    public int BatchWorkerCount { get; set; } = 2;

    /// <summary>Workers of upkeep per instance (expiry, lease reaping, cleanup, webhook and callback calls). Default 1.</summary>
    [Range(1, 64)]
    public int SystemWorkerCount { get; set; } = 1;

    /// <summary>The workers of a workload class on this instance (<see cref="WorkerCount"/> for interactive work).</summary>
    public int WorkersOf(Execution.WorkloadClass workload) => workload switch
    {
        Execution.WorkloadClass.Batch => BatchWorkerCount,
        Execution.WorkloadClass.System => SystemWorkerCount,
        _ => WorkerCount,
    };

    /// <summary>The most queries one project accepts a minute from everyone, unless it sets its own; beyond it a submit is a 429 with <c>Retry-After</c>. Default 1200.</summary>
    [Range(1, 100_000)]
    public int MaxSubmissionsPerMinutePerProject { get; set; } = 1200;

    /// <summary>The most queries one project accepts a minute from one user, unless it sets its own. Default 300.</summary>
    [Range(1, 100_000)]
    public int MaxSubmissionsPerMinutePerUser { get; set; } = 300;
}
