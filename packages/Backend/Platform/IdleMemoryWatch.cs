namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Decides, one tick at a time, when an instance has gone quiet after heavy work. A tick is quiet when
/// the process allocated next to nothing on the managed heap and used next to no CPU (native work such
/// as DuckDB's loads, zlib or Parquet encoding allocates little managed memory but burns CPU, and holds
/// native memory and code); work is what was allocated or spent on CPU since the last release.
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
    private Sample _atRelease;
    private TimeSpan _quietFor;
    private bool _secondPassDue;

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
            _last = _atRelease = now;
            return false;
        }

        _last = now;
        var quiet = now.AllocatedBytes - last.AllocatedBytes < QuietBytesPerTick && (now.CpuTime - last.CpuTime) < tick * QuietCoreShare;
        _quietFor = quiet ? _quietFor + tick : TimeSpan.Zero;
        if (_quietFor >= options.QuietPeriod && WorkedSinceRelease(now))
        {
            _secondPassDue = true;
            return true;
        }

        if (_secondPassDue && _quietFor >= options.QuietPeriod + SharedPoolTrimAge)
        {
            _secondPassDue = false;
            return true;
        }

        if (_quietFor == TimeSpan.Zero)
        {
            _secondPassDue = false;
        }

        return false;
    }

    /// <summary>Notes what had been allocated and spent when the release ended (its own collection included).</summary>
    public void Released(Sample now) => _last = _atRelease = now;

    private bool WorkedSinceRelease(Sample now) =>
        now.AllocatedBytes - _atRelease.AllocatedBytes >= options.WorkBeforeRelease
        || now.CpuTime - _atRelease.CpuTime >= options.CpuBeforeRelease;
}
