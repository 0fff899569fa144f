using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.ResultsStorage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Pooled part buffers are reused while uploads run and let go when quiet; the releaser asks every pool.</summary>
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
