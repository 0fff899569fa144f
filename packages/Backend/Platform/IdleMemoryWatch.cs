namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Decides, one tick at a time, when an instance has gone quiet after heavy work. A tick is quiet when
/// the process allocated next to nothing on the managed heap and used next to no CPU (native work such
/// as DuckDB's loads, zlib or Parquet encoding allocates little managed memory but burns CPU, and holds
/// native memory and code); work is what was allocated or spent on CPU in the busy ticks since the last
/// release (an idle instance's background chores, tick after quiet tick, never add up to work).
/// </summary>
public sealed class IdleMemoryWatch(IdleMemoryOptions options, TimeSpan tick)
{
    /// <summary>Managed allocation per tick under which a tick counts as quiet.</summary>
    public const long QuietBytesPerTick = 16L * 1024 * 1024;

    /// <summary>Share of one core per tick under which a tick counts as quiet.</summary>
    public const double QuietCoreShare = 0.05;

    // The shared array pool lets go only of arrays unused for a minute, at a full collection.
    private static readonly TimeSpan SharedPoolTrimAge = TimeSpan.FromSeconds(65);

    private Sample? _last;
    private long _busyBytes;
    private TimeSpan _busyCpu;
    private TimeSpan _quietFor;
    private TimeSpan? _sinceFirstPass;

    /// <summary>The process's managed bytes allocated so far and CPU time used so far.</summary>
    /// <param name="AllocatedBytes">Total managed bytes allocated since start.</param>
    /// <param name="CpuTime">Total CPU time of the process since start.</param>
    public readonly record struct Sample(long AllocatedBytes, TimeSpan CpuTime);

    /// <summary>How long the process has been quiet, as of the last tick.</summary>
    public TimeSpan QuietFor => _quietFor;

    /// <summary>Takes the tick's sample; true when memory should be released now.</summary>
    public bool ShouldRelease(Sample now)
    {
        if (_last is not { } last)
        {
            _last = now;
            return false;
        }

        _last = now;
        var (allocated, cpu) = (now.AllocatedBytes - last.AllocatedBytes, now.CpuTime - last.CpuTime);
        var quiet = allocated < QuietBytesPerTick && cpu < tick * QuietCoreShare;
        _quietFor = quiet ? _quietFor + tick : TimeSpan.Zero;
        if (!quiet)
        {
            (_busyBytes, _busyCpu) = (_busyBytes + allocated, _busyCpu + cpu);
        }

        if (_quietFor >= options.QuietPeriod && (_busyBytes >= options.WorkBeforeRelease || _busyCpu >= options.CpuBeforeRelease))
        {
            _sinceFirstPass = TimeSpan.Zero;
            return true;
        }

        // The second pass comes a minute after the first, at the first quiet tick: an idle instance's chores
        // (a recurring job, a health probe) in between do not put it off, work does (a first pass again).
        if (_sinceFirstPass is { } since)
        {
            _sinceFirstPass = since + tick;
            if (quiet && _sinceFirstPass >= SharedPoolTrimAge)
            {
                _sinceFirstPass = null;
                return true;
            }
        }

        return false;
    }

    /// <summary>Starts counting work afresh from the sample taken when the release ended (its own collection left out).</summary>
    public void Released(Sample now) => (_last, _busyBytes, _busyCpu) = (now, 0, TimeSpan.Zero);
}
