using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Microsoft.Extensions.Time.Testing;

namespace Lightdash.Net.Backend.Tests;

/// <summary>The in-memory status of waiting and running queries: only current, only the owner's, never a final state.</summary>
public class QueryStatusCacheTests
{
    private static readonly Guid Project = Guid.NewGuid();
    private static readonly Guid Owner = Guid.NewGuid();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    private static QueryHistoryRecord Row(QueryStatus status, Guid? queryUuid = null, long? cancelIfUnreadMs = null) => new()
    {
        QueryUuid = queryUuid ?? Guid.NewGuid(),
        ProjectUuid = Project,
        CreatedByUserUuid = Owner,
        StatusName = status.ToName(),
        CancelIfUnreadMs = cancelIfUnreadMs,
    };

    private QueryStatusCache Listening()
    {
        var cache = new QueryStatusCache(_clock);
        cache.SetListening(true);
        return cache;
    }

    [Test]
    public void ARunningQuery_IsServedToItsOwnerInItsProject_Only()
    {
        var cache = Listening();
        var row = Row(QueryStatus.Executing);
        cache.Offer(row, cache.Version);

        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out var served), Is.True);
        Assert.That(served, Is.SameAs(row));
        Assert.That(cache.TryGet(row.QueryUuid, Project, Guid.NewGuid(), out _), Is.False, "another user");
        Assert.That(cache.TryGet(row.QueryUuid, Guid.NewGuid(), Owner, out _), Is.False, "another project");
    }

    [TestCase(QueryStatus.Ready)]
    [TestCase(QueryStatus.Error)]
    [TestCase(QueryStatus.Cancelled)]
    [TestCase(QueryStatus.Expired)]
    public void AFinalState_IsNeverKept(QueryStatus status)
    {
        var cache = Listening();
        var row = Row(status);
        cache.Offer(row, cache.Version);

        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False);
    }

    [Test]
    public void AnAnnouncedChange_RemovesTheEntry_AndRefusesRowsReadBeforeIt()
    {
        var cache = Listening();
        var row = Row(QueryStatus.Executing);
        var before = cache.Version;
        cache.Offer(row, before);
        cache.Invalidate(row.QueryUuid);

        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False);
        cache.Offer(row, before);
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "read before the change: stale");
        cache.Offer(row, cache.Version);
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.True, "read after it");
    }

    [Test]
    public void Entries_ServeHalfASecond()
    {
        var cache = Listening();
        var row = Row(QueryStatus.Queued);
        cache.Offer(row, cache.Version);
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.True);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False);
    }

    [Test]
    public void WhileNotListening_OrAfterMissedChanges_NothingIsServed()
    {
        var cache = new QueryStatusCache(_clock);
        var row = Row(QueryStatus.Executing);
        cache.Offer(row, cache.Version);
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "never listened");

        cache.SetListening(true);
        var before = cache.Version;
        cache.Offer(row, before);
        cache.Clear();
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "cleared");
        cache.Offer(row, before);
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "read before the clear");

        cache.Offer(row, cache.Version);
        cache.SetListening(false);
        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "listening stopped");
    }

    [Test]
    public void AQueryCancelledWhenUnread_IsAlwaysRead()
    {
        var cache = Listening();
        var row = Row(QueryStatus.Executing, cancelIfUnreadMs: 5000);
        cache.Offer(row, cache.Version);

        Assert.That(cache.TryGet(row.QueryUuid, Project, Owner, out _), Is.False, "each poll must mark it read");
    }
}
