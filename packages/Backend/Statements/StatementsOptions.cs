using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Statements;

/// <summary>The statements API (<c>/api/v2/statements</c>, Snowflake's SQL API shape): handles, sessions and partitions.</summary>
public sealed class StatementsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Statements";

    /// <summary>How long a statement's handle and results live when the request sets no <c>ttl</c>.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The longest <c>ttl</c> a request may set.</summary>
    public TimeSpan MaxTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a submit without <c>async=true</c> waits for the statement before answering 202 with its handle (Snowflake's 45 seconds).</summary>
    public TimeSpan MaxSyncWait { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>How many statements a session may hold at once (ended ones do not count).</summary>
    [Range(1, 100_000)]
    public int MaxStatementsPerSession { get; set; } = 100;

    /// <summary>A session ends when unused for this long (every call with it starts the time again).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Rows per result partition (a multiple of <c>ResultsStorage:IndexBlockRows</c> keeps each partition on whole stored blocks).</summary>
    [Range(1, 100_000)]
    public int PartitionRows { get; set; } = 10_000;

    /// <summary>The most bindings one statement may carry.</summary>
    [Range(1, 100_000)]
    public int MaxBindings { get; set; } = 1000;

    /// <summary>How long an ended statement's handle still answers "expired" (410) before it is forgotten (then 404).</summary>
    public TimeSpan EndedHandleRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the cleanup of expired statements and sessions runs (cron).</summary>
    public string CleanupCron { get; set; } = "* * * * *";
}
