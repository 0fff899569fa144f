using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The backend's own traces and metrics (OpenTelemetry names them after <see cref="Name"/>): one trace
/// per query, from the request that submits it through the job that runs it (the submitting span's
/// context is kept in the history row), with the <c>queryUuid</c> on every span; metrics for queries
/// by status, queue wait, execution time, rows and bytes written, cache hits, single-flight joins,
/// page reads and active streams.
/// </summary>
public static class LightdashTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Lightdash.Net";

    /// <summary>The span attribute holding the query's id.</summary>
    public const string QueryUuidAttribute = "lightdash.query_uuid";

    /// <summary>Starts the backend's spans.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    /// <summary>Queries submitted (cache hits and joins included), by context.</summary>
    public static readonly Counter<long> QueriesSubmitted = Meter.CreateCounter<long>("lightdash.queries.submitted", "{query}", "Queries submitted, by context.");

    /// <summary>Queries that ended, by status (ready, error, cancelled).</summary>
    public static readonly Counter<long> QueriesFinished = Meter.CreateCounter<long>("lightdash.queries.finished", "{query}", "Queries run to an end, by status.");

    /// <summary>Time from submission to a worker claiming the query.</summary>
    public static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("lightdash.queries.queue_wait", "ms", "Time from submission to execution start.");

    /// <summary>Time from execution start to the result stored.</summary>
    public static readonly Histogram<double> ExecutionTime = Meter.CreateHistogram<double>("lightdash.queries.execution_time", "ms", "Time from execution start to the result stored.");

    /// <summary>Rows written to results storage.</summary>
    public static readonly Counter<long> RowsWritten = Meter.CreateCounter<long>("lightdash.results.rows_written", "{row}", "Rows written to results storage.");

    /// <summary>Bytes written to results storage.</summary>
    public static readonly Counter<long> BytesWritten = Meter.CreateCounter<long>("lightdash.results.bytes_written", "By", "Bytes written to results storage.");

    /// <summary>Submissions answered by an earlier result.</summary>
    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>("lightdash.cache.hits", "{query}", "Submissions answered by a cached result.");

    /// <summary>Submissions that joined an identical running query.</summary>
    public static readonly Counter<long> SingleFlightJoins = Meter.CreateCounter<long>("lightdash.single_flight.joins", "{query}", "Submissions that joined an identical running query.");

    /// <summary>Time to read one page of a ready result.</summary>
    public static readonly Histogram<double> PageReadLatency = Meter.CreateHistogram<double>("lightdash.pages.read_latency", "ms", "Time to read one page of a ready result.");

    /// <summary>Results being written now on this instance.</summary>
    public static readonly UpDownCounter<long> ActiveStreams = Meter.CreateUpDownCounter<long>("lightdash.results.active_streams", "{stream}", "Results being written on this instance.");

    /// <summary>A span of this backend tagged with the query.</summary>
    public static Activity? StartQueryActivity(string name, Guid queryUuid, ActivityKind kind = ActivityKind.Internal, ActivityContext parent = default) =>
        Source.StartActivity(name, kind, parent, [new(QueryUuidAttribute, queryUuid.ToString())]);
}
