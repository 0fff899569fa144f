using System.ComponentModel.DataAnnotations;

namespace Lightdash.Net.Backend.Services;

/// <summary>How queries run and how their pages are served.</summary>
public sealed class QueryExecutionOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "QueryExecution";

    /// <summary>Queries this instance runs at once (Hangfire workers). Each holds one warehouse connection.</summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = 8;

    /// <summary>The page size when a read names none.</summary>
    [Range(1, 100_000)]
    public int DefaultPageSize { get; set; } = 500;

    /// <summary>The largest page a read may ask for.</summary>
    [Range(1, 100_000)]
    public int MaxPageSize { get; set; } = 5000;

    /// <summary>The longest SQL text accepted, in characters.</summary>
    [Range(1, 10_000_000)]
    public int MaxSqlLength { get; set; } = 1_000_000;

    /// <summary>How often an idle worker looks for queued jobs when PostgreSQL notifications are missed.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(2);
}
