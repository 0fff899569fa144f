using System.Runtime;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Gives memory back once heavy work is over. The runtime collects only when code allocates, so an
/// instance that streamed a large result, composed or exported and then went quiet kept the heap and the
/// pooled buffers of its busiest moment. When the instance has been quiet (<see cref="IdleMemoryWatch"/>)
/// for <see cref="IdleMemoryOptions.QuietPeriod"/> after a burst of work, the pools let go of their free
/// buffers (and the code pages of native libraries used now and then go back to the page cache), compacting
/// collections return the emptied heap to the system, and glibc's allocator is asked to return
/// its freed pages (native buffers of zlib, Parquet, DuckDB); a second pass a minute later catches what
/// the runtime's shared array pool lets go only then. Never while work runs: a quiet
/// instance is by definition not serving anything large.
/// </summary>
public sealed partial class IdleMemoryReleaser(
    IEnumerable<IReleasableMemory> pools,
    IOptions<IdleMemoryOptions> options,
    ILogger<IdleMemoryReleaser> logger) : BackgroundService
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.ReleaseWhenIdle)
        {
            return;
        }

        var watch = new IdleMemoryWatch(settings, Tick);
        watch.ShouldRelease(Now());
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (watch.ShouldRelease(Now()))
            {
                Release(settings.QuietPeriod);
                watch.Released(Now());
            }
        }
    }

    private static IdleMemoryWatch.Sample Now() => new(GC.GetTotalAllocatedBytes(), Environment.CpuUsage.TotalTime);

    /// <summary>Lets go of pooled buffers, compacts the heap and trims the native allocator; logs what came back.</summary>
    public void Release(TimeSpan quiet)
    {
        var before = Environment.WorkingSet;
        long pooled = 0;
        foreach (var pool in pools)
        {
            pooled += pool.ReleaseIfQuiet(quiet);
        }

        CollectWhatThePoolsLetGo();
        NativeAllocator.Trim();
        var after = Environment.WorkingSet;
        LogReleased(logger, pooled / 1048576, (before - after) / 1048576, after / 1048576);
    }

    /// <summary>
    /// One compacting collection, then, once the callbacks it triggered have run, another. The runtime's shared
    /// array pools (and other gen-2 callbacks) let go of their aged arrays in a callback that runs after a full
    /// collection; what they drop there is garbage only for the next one. With a single collection the arrays
    /// the last pass let go (some 30 MB after a run of exports: Parquet.Net's rented columns and levels) stayed
    /// on the large-object heap until the next full collection, which an idle instance never makes.
    /// </summary>
    private static void CollectWhatThePoolsLetGo()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after heavy work: let go of {PooledMb} MB of pooled buffers and mapped code; working set {ReleasedMb} MB smaller, now {WorkingSetMb} MB")]
    private static partial void LogReleased(ILogger logger, long pooledMb, long releasedMb, long workingSetMb);
}
