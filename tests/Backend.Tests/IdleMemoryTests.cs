using DuckDB.NET.Data;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// Pooled part buffers are reused while uploads run and let go when quiet; the releaser asks every pool;
/// quiet means little allocated and little CPU; a native library's code pages go back to the kernel.
/// </summary>
public class IdleMemoryTests
{
    [Test]
    public void PartBuffers_AreReused_UpToTheLimit_AndLetGoWhenQuiet()
    {
        var pool = new PartBufferPool(maxPooled: 2);
        var first = pool.Rent(1024);
        var second = pool.Rent(1024);
        var third = pool.Rent(1024);
        pool.Return(first);
        pool.Return(second);
        pool.Return(third);

        Assert.That(pool.Pooled, Is.EqualTo(2), "at most two kept");
        Assert.That(pool.Rent(1024), Is.SameAs(second).Or.SameAs(first), "a kept buffer is reused");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.FromHours(1)), Is.Zero, "used just now: kept");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.Zero), Is.EqualTo(1024));
        Assert.That(pool.Pooled, Is.Zero);
    }

    [Test]
    public void ExportChunkMemory_IsReused_UpToTheLimit_AndLetGoWhenQuiet()
    {
        var pool = new ChunkMemoryPool(maxPooled: 2);
        var taken = new[] { pool.Rent(), pool.Rent(), pool.Rent() };
        taken[0].StoredOf(1000);
        foreach (var memory in taken)
        {
            pool.Return(memory);
        }

        Assert.That(pool.Pooled, Is.EqualTo(2), "at most two kept");
        Assert.That(taken, Does.Contain(pool.Rent()), "a kept one is reused");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.FromHours(1)), Is.Zero, "used just now: kept");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.Zero), Is.GreaterThanOrEqualTo((4L + 4 + 1) * 1024 * 1024), "a chunk's buffers let go");
        Assert.That(pool.Pooled, Is.Zero);
    }

    [Test]
    public void ParquetRowGroupMemory_IsReused_UpToTheLimit_AndLetGoWhenQuiet()
    {
        var pool = new RowGroupMemoryPool(maxPooled: 2);
        var taken = new[] { pool.Rent(), pool.Rent(), pool.Rent() };
        using (new ParquetColumnBuffers([ExportColumnKind.WholeNumber, ExportColumnKind.Text], ParquetExportWriter.RowGroupRows, taken[0]))
        {
        }

        foreach (var memory in taken)
        {
            pool.Return(memory);
        }

        Assert.That(pool.Pooled, Is.EqualTo(2), "at most two kept");
        Assert.That(taken, Does.Contain(pool.Rent()), "a kept one is reused");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.FromHours(1)), Is.Zero, "used just now: kept");
        Assert.That(pool.ReleaseIfQuiet(TimeSpan.Zero), Is.GreaterThanOrEqualTo(50_000L * (16 + 24)), "a row group's columns let go");
        Assert.That(pool.Pooled, Is.Zero);
    }

    [Test]
    public void PartBuffers_TooSmallForTheSizeAsked_AreNotHandedOut()
    {
        var pool = new PartBufferPool(maxPooled: 2);
        pool.Return(new byte[100]);

        Assert.That(pool.Rent(1000), Has.Length.GreaterThanOrEqualTo(1000));
    }

    [Test]
    public void Release_AsksEveryPool()
    {
        var pools = new[] { new CountingPool(), new CountingPool() };
        var releaser = new IdleMemoryReleaser(pools, Options.Create(new IdleMemoryOptions()), NullLogger<IdleMemoryReleaser>.Instance);

        releaser.Release(TimeSpan.FromSeconds(10));

        Assert.That(pools.Select(p => p.Asked), Is.EqualTo(new[] { TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10) }));
    }

    [Test]
    public void Release_ReclaimsWhatAPoolLetsGoInItsCollectionCallback()
    {
        // Like the runtime's shared array pools: a callback that runs after a full collection drops the
        // pool's last reference to a large array. Only a later collection can reclaim it.
        var dropped = DropAfterNextCollection();
        var releaser = new IdleMemoryReleaser([], Options.Create(new IdleMemoryOptions()), NullLogger<IdleMemoryReleaser>.Instance);

        releaser.Release(TimeSpan.FromSeconds(10));

        Assert.That(dropped.IsAlive, Is.False, "the array the callback let go is collected in the same release");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference DropAfterNextCollection()
    {
        var holder = new PoolLikeHolder(new byte[4 << 20]);
        var weak = new WeakReference(holder.Array);
        PoolLikeHolder.Arm(holder);
        return weak;
    }

    /// <summary>Holds an array until a full collection runs its finalizer (the way Gen2GcCallback drives a pool's trim).</summary>
    private sealed class PoolLikeHolder(byte[] array)
    {
        private static PoolLikeHolder? _rooted;

        public byte[]? Array { get; private set; } = array;

        public static void Arm(PoolLikeHolder holder)
        {
            _rooted = holder;
            _ = new Sentinel(holder);
        }

        private sealed class Sentinel(PoolLikeHolder owner)
        {
            ~Sentinel()
            {
                owner.Array = null;
                _rooted = null;
            }
        }
    }

    [Test]
    public void NativeAllocator_LimitsGlibcArenas_UnlessTheOperatorSetsThemInTheEnvironment()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("glibc's mallopt is a Linux call");
        }

        var operatorSetting = Environment.GetEnvironmentVariable(NativeAllocator.ArenaMaxVariable);
        try
        {
            Environment.SetEnvironmentVariable(NativeAllocator.ArenaMaxVariable, null);
            Assert.That(NativeAllocator.LimitArenas(0), Is.False, "0 keeps glibc's default");
            Assert.That(NativeAllocator.LimitArenas(2), Is.True, "glibc accepted the limit");

            Environment.SetEnvironmentVariable(NativeAllocator.ArenaMaxVariable, "4");
            Assert.That(NativeAllocator.LimitArenas(2), Is.False, "the operator's MALLOC_ARENA_MAX wins");
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeAllocator.ArenaMaxVariable, operatorSetting);
        }
    }

    [Test]
    public void NativeWork_WithLittleAllocation_IsReleasedOnceQuiet()
    {
        var watch = new IdleMemoryWatch(new IdleMemoryOptions(), Tick);
        var now = new IdleMemoryWatch.Sample(0, TimeSpan.Zero);
        Assert.That(watch.ShouldRelease(now), Is.False, "the first sample only starts the watch");

        // Two seconds of CPU (a DuckDB load) allocating 1 MB: busy, not quiet.
        now = Next(now, allocated: 1 << 20, cpu: TimeSpan.FromSeconds(2));
        Assert.That(watch.ShouldRelease(now), Is.False);
        Assert.That(watch.QuietFor, Is.EqualTo(TimeSpan.Zero), "CPU alone makes a tick busy");

        now = Next(now, allocated: 0, cpu: TimeSpan.FromMilliseconds(10));
        Assert.That(watch.ShouldRelease(now), Is.False, "quiet for one tick of the two needed");
        now = Next(now, allocated: 0, cpu: TimeSpan.FromMilliseconds(10));
        Assert.That(watch.ShouldRelease(now), Is.True, "quiet for the quiet period after work");
        watch.Released(now);

        now = AssertNoReleaseOverQuietTicks(watch, now, 12, "nothing done since: no release");

        now = Next(now, allocated: 0, cpu: TimeSpan.FromMilliseconds(10));
        Assert.That(watch.ShouldRelease(now), Is.True, "the second pass, once the shared pool's arrays have aged");
        watch.Released(now);
        AssertNoReleaseOverQuietTicks(watch, now, 30, "no third pass");
    }

    [Test]
    public void TheSecondPass_IsNotPutOffByChoresInBetween()
    {
        var watch = new IdleMemoryWatch(new IdleMemoryOptions(), Tick);
        var now = new IdleMemoryWatch.Sample(0, TimeSpan.Zero);
        watch.ShouldRelease(now);
        now = Next(now, allocated: 1 << 20, cpu: TimeSpan.FromSeconds(2));
        watch.ShouldRelease(now);
        now = Next(now, allocated: 0, cpu: TimeSpan.Zero);
        watch.ShouldRelease(now);
        now = Next(now, allocated: 0, cpu: TimeSpan.Zero);
        Assert.That(watch.ShouldRelease(now), Is.True, "the first pass");
        watch.Released(now);

        for (var tick = 1; tick < 13; tick++)
        {
            // A recurring job every half minute: a busy tick, but far from work.
            var chore = tick % 6 == 0;
            now = Next(now, allocated: chore ? 20 << 20 : 0, cpu: chore ? TimeSpan.FromMilliseconds(400) : TimeSpan.Zero);
            Assert.That(watch.ShouldRelease(now), Is.False, $"tick {tick}");
        }

        now = Next(now, allocated: 0, cpu: TimeSpan.Zero);
        Assert.That(watch.ShouldRelease(now), Is.True, "the second pass, 65 s after the first");
    }

    [Test]
    public void LittleWork_OrBusyTicks_AreNotReleased()
    {
        var options = new IdleMemoryOptions();
        var idle = new IdleMemoryWatch(options, Tick);
        var now = new IdleMemoryWatch.Sample(0, TimeSpan.Zero);
        idle.ShouldRelease(now);
        for (var tick = 0; tick < 10; tick++)
        {
            // Under a twentieth of a core and 16 MB per tick: quiet, but a half second of CPU in all is not work.
            now = Next(now, allocated: 1 << 20, cpu: TimeSpan.FromMilliseconds(50));
            Assert.That(idle.ShouldRelease(now), Is.False, $"tick {tick}");
        }

        Assert.That(idle.QuietFor, Is.EqualTo(Tick * 10));
        for (var tick = 0; tick < 200; tick++)
        {
            // An idle instance's chores (polling, heartbeats) add up to seconds of CPU and gigabytes over hours: never work.
            now = Next(now, allocated: 15 << 20, cpu: TimeSpan.FromMilliseconds(200));
            Assert.That(idle.ShouldRelease(now), Is.False, $"chores, tick {tick}");
        }

        var busy = new IdleMemoryWatch(options, Tick);
        now = new IdleMemoryWatch.Sample(0, TimeSpan.Zero);
        busy.ShouldRelease(now);
        for (var tick = 0; tick < 10; tick++)
        {
            // Allocating a lot with little CPU (or a steady trickle of CPU) never counts as quiet.
            now = tick % 2 == 0 ? Next(now, allocated: 64 << 20, cpu: TimeSpan.Zero) : Next(now, allocated: 0, cpu: TimeSpan.FromSeconds(1));
            Assert.That(busy.ShouldRelease(now), Is.False, $"tick {tick}");
        }
    }

    [Test]
    public void ManagedAllocation_AloneCountsAsWork()
    {
        var watch = new IdleMemoryWatch(new IdleMemoryOptions { WorkBeforeRelease = 100 << 20 }, Tick);
        var now = new IdleMemoryWatch.Sample(0, TimeSpan.Zero);
        watch.ShouldRelease(now);
        now = Next(now, allocated: 200 << 20, cpu: TimeSpan.FromMilliseconds(100));
        Assert.That(watch.ShouldRelease(now), Is.False);
        now = Next(now, allocated: 0, cpu: TimeSpan.Zero);
        watch.ShouldRelease(now);
        now = Next(now, allocated: 0, cpu: TimeSpan.Zero);
        Assert.That(watch.ShouldRelease(now), Is.True);
    }

    [Test]
    public async Task DuckDbCode_IsPagedOut_AndStillRunsAfter()
    {
        Assume.That(OperatingSystem.IsLinux(), "MADV_PAGEOUT is Linux's");
        var pages = new MappedLibraryPages("libduckdb.so");
        Assert.That(await DuckDbSumAsync(), Is.EqualTo(5050));
        var resident = pages.ResidentBytes();
        Assert.That(resident, Is.GreaterThan(1 << 20), "DuckDB's code is mapped and resident after a query");

        var released = pages.ReleaseIfQuiet(TimeSpan.FromSeconds(10));

        Assert.That(released, Is.GreaterThan(resident / 2), "most of it paged out");
        Assert.That(pages.ResidentBytes(), Is.EqualTo(resident - released));
        Assert.That(await DuckDbSumAsync(), Is.EqualTo(5050), "the code maps back on use");
        Assert.That(pages.ResidentBytes(), Is.GreaterThan(resident - released));
        Assert.That(new MappedLibraryPages("libnot-loaded-here.so").ReleaseIfQuiet(TimeSpan.Zero), Is.Zero);
    }

    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);

    // Ticks of next to nothing (no allocation, 10 ms of CPU each), none of which may release; returns the last sample.
    private static IdleMemoryWatch.Sample AssertNoReleaseOverQuietTicks(IdleMemoryWatch watch, IdleMemoryWatch.Sample now, int ticks, string because)
    {
        for (var tick = 0; tick < ticks; tick++)
        {
            now = Next(now, allocated: 0, cpu: TimeSpan.FromMilliseconds(10));
            Assert.That(watch.ShouldRelease(now), Is.False, $"{because} (tick {tick})");
        }

        return now;
    }

    private static IdleMemoryWatch.Sample Next(IdleMemoryWatch.Sample now, long allocated, TimeSpan cpu) =>
        new(now.AllocatedBytes + allocated, now.CpuTime + cpu);

    private static async Task<long> DuckDbSumAsync()
    {
        await using var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "select sum(i)::bigint from range(1, 101) t(i)";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed class CountingPool : IReleasableMemory
    {
        public TimeSpan? Asked { get; private set; }

        public long ReleaseIfQuiet(TimeSpan quiet)
        {
            Asked = quiet;
            return 0;
        }
    }
}
