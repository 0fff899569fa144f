namespace Lightdash.Net.Backend.Platform;

/// <summary>Giving memory back after heavy work (section <c>Memory</c>).</summary>
public sealed class IdleMemoryOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Memory";

    /// <summary>False to keep what the busiest moment took until the runtime happens to collect.</summary>
    public bool ReleaseWhenIdle { get; set; } = true;

    /// <summary>How long the instance must be quiet (allocating next to nothing, using next to no CPU) before it gives memory back.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How much must have been allocated (in busy moments) since the last release for another to be worth it (256 MiB).</summary>
    public long WorkBeforeRelease { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Or how much CPU the process must have used in busy moments since the last release (1 s): native work (a composed
    /// query's DuckDB load, an export's compression) allocates little on the managed heap but leaves native
    /// memory and loaded code behind.
    /// </summary>
    public TimeSpan CpuBeforeRelease { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most malloc arenas glibc may create for native allocations (2); 0 keeps glibc's default (eight per
    /// core). Fewer arenas keep fewer half-used pages after heavy native work. Applied at start-up, when the
    /// runtime has already made some: set <c>MALLOC_ARENA_MAX=2</c> in the environment instead (it wins).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(0, 1024)]
    public int NativeAllocatorArenas { get; set; } = 2;
}
