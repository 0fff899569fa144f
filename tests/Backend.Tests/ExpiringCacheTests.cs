using Microsoft.Extensions.Time.Testing;
using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Tests;

public class ExpiringCacheTests
{
    [Test]
    public void Values_AreServedForTheirLifetimeOnly()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new ExpiringCache<string>(TimeSpan.FromMinutes(5), 10, clock);

        var storedAt = cache.Set("a", "one");
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.That(cache.TryGet("a", out var value, out var at) ? (value, at) : default, Is.EqualTo(("one", storedAt)));
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That(cache.TryGet("a", out _, out _), Is.False);
    }

    [Test]
    public void BeyondItsCapacity_ItShedsExpiredThenOldestEntries()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var cache = new ExpiringCache<int>(TimeSpan.FromMinutes(5), 3, clock);
        cache.Set("old", 0);
        clock.Advance(TimeSpan.FromMinutes(10));
        for (var i = 1; i <= 4; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            cache.Set($"k{i}", i);
        }

        Assert.That(cache.TryGet("old", out _, out _), Is.False);
        Assert.That(cache.TryGet("k1", out _, out _), Is.False, "the oldest fresh entry went when a fourth came");
        Assert.That(new[] { "k2", "k3", "k4" }.All(k => cache.TryGet(k, out _, out _)), Is.True);
    }
}
