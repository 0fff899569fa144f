using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.Queries.History;
using Lightdash.Net.Common;
using Microsoft.Extensions.Time.Testing;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The rules of a query's life as pure code, without servers: the legal status moves (the very lists
/// the stores' conditional updates use), the slot rules of the per-user and fair-worker limits, cache
/// keys, page windows and the time an entry lives. The integration tests prove the stores apply them.
/// </summary>
public class QueryLifecycleRulesTests
{
    private static readonly QueryStatus[] Final = [QueryStatus.Ready, QueryStatus.Error, QueryStatus.Cancelled, QueryStatus.Expired];

    [Test]
    public void Ready_IsReachedOnlyFromExecuting() =>
        Assert.That(QueryStatusTransitions.From(QueryStatus.Ready), Is.EquivalentTo(new[] { QueryStatus.Executing }));

    [Test]
    public void AnActiveQuery_CanAlwaysFailOrBeCancelled()
    {
        foreach (var active in QueryStatusTransitions.Parse(QueryStatusTransitions.Active))
        {
            Assert.That(QueryStatusTransitions.IsLegal(active, QueryStatus.Error), active.ToName());
            Assert.That(QueryStatusTransitions.IsLegal(active, QueryStatus.Cancelled), active.ToName());
        }
    }

    [Test]
    public void AFinalState_NeverGoesBack_AndOnlyResultsExpire()
    {
        foreach (var final in Final)
        {
            foreach (var to in Enum.GetValues<QueryStatus>())
            {
                var expected = to == QueryStatus.Expired && final is QueryStatus.Ready or QueryStatus.Error;
                Assert.That(QueryStatusTransitions.IsLegal(final, to), Is.EqualTo(expected), $"{final.ToName()} -> {to.ToName()}");
            }
        }
    }

    [Test]
    public void ALateWriter_CannotOverwriteACancel()
    {
        Assert.That(QueryStatusTransitions.IsLegal(QueryStatus.Cancelled, QueryStatus.Ready), Is.False);
        Assert.That(QueryStatusTransitions.IsLegal(QueryStatus.Cancelled, QueryStatus.Error), Is.False);
    }

    [Test]
    public void EveryStatus_IsReachableFromPending()
    {
        var reached = new HashSet<QueryStatus> { QueryStatus.Pending };
        var grew = true;
        while (grew)
        {
            var next = Enum.GetValues<QueryStatus>().Where(to => reached.Any(from => QueryStatusTransitions.IsLegal(from, to))).ToList();
            grew = next.Any(reached.Add);
        }

        Assert.That(reached, Is.EquivalentTo(Enum.GetValues<QueryStatus>()));
    }

    [Test]
    public void ALostLease_PutsTheQueryBackInTheQueue_ButAReadyOneStaysReady()
    {
        Assert.That(QueryStatusTransitions.IsLegal(QueryStatus.Executing, QueryStatus.Queued), Is.True);
        Assert.That(QueryStatusTransitions.IsLegal(QueryStatus.Ready, QueryStatus.Queued), Is.False);
    }

    [Test]
    public void TheSqlLists_HoldOnlyStatuses() =>
        Assert.Throws<ArgumentException>(() => QueryStatusTransitions.Parse("'pending', 'done'").ToList());

    [TestCase(0, true)]
    [TestCase(3, true)]
    [TestCase(4, false)]
    [TestCase(9, false)]
    public void AUser_HoldsAtMostTheirLimit_OfSlots(long held, bool mayStart) =>
        Assert.That(new QueryHistoryStore.SlotRules(MaxPerUser: 4, SharedSlotsPerServer: 6).AllowsUser(held), Is.EqualTo(mayStart));

    [Test]
    public void AUserWithNothingRunning_MayTakeAReservedWorker_OthersOnlyASharedOne()
    {
        var rules = new QueryHistoryStore.SlotRules(MaxPerUser: 4, SharedSlotsPerServer: 6);
        Assert.That(rules.AsksServer(0), Is.False, "nothing running: any free worker, reserved ones too");
        Assert.That(rules.AsksServer(1), Is.True, "already running one: the server's shared slots decide");
        Assert.That(rules.AllowsOnServer(5), Is.True);
        Assert.That(rules.AllowsOnServer(6), Is.False, "the shared slots are all held: the rest are kept for others");
        Assert.That(new QueryHistoryStore.SlotRules(4, int.MaxValue).AsksServer(3), Is.False, "no sharing rule: only the user's limit");
    }

    [Test]
    public void AProject_OpensAtMostItsCap_OrTheDefault_OfStatementsOnItsWarehouse()
    {
        var rules = new QueryHistoryStore.SlotRules(MaxPerUser: 4, SharedSlotsPerServer: 6, MaxPerProject: 8);
        Assert.That((rules.AllowsProject(7, null), rules.AllowsProject(8, null)), Is.EqualTo((true, false)), "the default cap");
        Assert.That((rules.AllowsProject(1, 2), rules.AllowsProject(2, 2)), Is.EqualTo((true, false)), "the project's own cap");
        Assert.That(rules.AllowsProject(20, 50), Is.True, "a project's cap may be above the default");
    }

    [Test]
    public void WebhookAndCallbackRetries_WaitTwiceAsLongEachTime() =>
        Assert.That(
            Enumerable.Range(1, 4).Select(attempt => new WebhookOptions { WebhookBackoff = TimeSpan.FromSeconds(2) }.DelayAfter(attempt)),
            Is.EqualTo(new[] { 2, 4, 8, 16 }.Select(s => TimeSpan.FromSeconds(s))));

    [TestCase(8, -1, 6)]
    [TestCase(8, 0, 8)]
    [TestCase(8, 2, 6)]
    [TestCase(2, -1, 1)]
    [TestCase(1, -1, 1)]
    [TestCase(4, 9, 1)]
    public void SharedWorkers_KeepAQuarterForUsersWithNothingRunning_ButAlwaysOne(int workers, int reserved, int shared) =>
        Assert.That(new QueryExecutionOptions { WorkerCount = workers, ReservedWorkers = reserved }.SharedWorkers, Is.EqualTo(shared));

    [Test]
    public void TheCacheKey_IsTheSameForTheSameQuery_AndDiffersForAnyPartOfIt()
    {
        var project = Guid.NewGuid();
        var key = QueryCacheKey.Compute(project, "select 1", 500, "UTC");
        Assert.That(QueryCacheKey.Compute(project, "select 1", 500, "UTC"), Is.EqualTo(key));
        Assert.That(
            new[]
            {
                QueryCacheKey.Compute(Guid.NewGuid(), "select 1", 500, "UTC"),
                QueryCacheKey.Compute(project, "select 2", 500, "UTC"),
                QueryCacheKey.Compute(project, "select 1", 501, "UTC"),
                QueryCacheKey.Compute(project, "select 1", 500, "Europe/Paris"),
                QueryCacheKey.Compute(project, "select 1", 500, "UTC", loginOwner: Guid.NewGuid()),
            },
            Has.None.EqualTo(key));
    }

    [TestCase(1000, 3, 100, 200, 100, 4, 2)]
    [TestCase(250, 3, 100, 200, 50, null, 2)]
    [TestCase(0, 1, 500, 0, 0, null, null)]
    public void APage_HoldsItsRows_AndNamesItsNeighbours(long total, int page, int size, long start, int count, int? next, int? previous)
    {
        var window = PageWindow.Of(total, page, size);
        Assert.That((window.StartRow, window.RowCount, window.NextPage, window.PreviousPage), Is.EqualTo((start, count, next, previous)));
    }

    [Test]
    public void APageBeyondTheLast_IsA400NamingTheLastPage() =>
        Assert.That(() => PageWindow.Of(250, 4, 100), Throws.TypeOf<ValidationException>().With.Message.Contains("3 page(s) of 100"));

    [Test]
    public void ACachedEntry_LivesItsLifetime_ByTheClock()
    {
        var clock = new FakeTimeProvider();
        var cache = new ExpiringCache<string>(TimeSpan.FromSeconds(30), 10, clock);
        cache.Set("options", "a,b");
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.That(cache.TryGet("options", out _, out _), Is.True);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(cache.TryGet("options", out _, out _), Is.False);
    }
}
