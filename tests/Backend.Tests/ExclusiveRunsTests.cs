using Lightdash.Net.Backend.Platform;
using Lightdash.Net.TestSupport;
using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>One run at a time of a sweep across instances; a run under way makes another skip, and a run whose instance died holds nothing.</summary>
[Category(TestCategories.Integration)]
public class ExclusiveRunsTests
{
    [Test]
    public async Task ARunUnderWay_MakesAnotherOfTheSameName_Skip_UntilItEnds()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        await using var first = NpgsqlDataSource.Create(metadata.ConnectionString);
        await using var second = NpgsqlDataSource.Create(metadata.ConnectionString);

        var running = await new ExclusiveRuns(first).TryStartAsync("lease-reaper", CancellationToken.None);
        Assert.That(running, Is.Not.Null);
        Assert.That(await new ExclusiveRuns(second).TryStartAsync("lease-reaper", CancellationToken.None), Is.Null, "another instance skips");
        await using (var other = await new ExclusiveRuns(second).TryStartAsync("results-expiry", CancellationToken.None))
        {
            Assert.That(other, Is.Not.Null, "a sweep of another name runs alongside");
        }

        await running!.DisposeAsync();
        await using var next = await new ExclusiveRuns(second).TryStartAsync("lease-reaper", CancellationToken.None);
        Assert.That(next, Is.Not.Null, "the next run starts once the first ended");
    }

    [Test]
    public async Task ARunWhoseInstanceDied_HoldsNothing()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        var doomedName = $"doomed-{Guid.NewGuid():N}"[..30];
        await using var doomed = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(metadata.ConnectionString) { ApplicationName = doomedName, Pooling = false }.ConnectionString);
        await using var survivor = NpgsqlDataSource.Create(metadata.ConnectionString);

        var orphan = await new ExclusiveRuns(doomed).TryStartAsync("lease-reaper", CancellationToken.None);
        Assert.That(orphan, Is.Not.Null);
        // The instance is gone mid-run: its connection with it (as when the process is killed).
        Assert.That(await metadata.ScalarAsync<bool>("select bool_and(pg_terminate_backend(pid)) from pg_stat_activity where application_name = @name", ("name", doomedName)), Is.True);

        await Eventually.UntilAsync(
            async () =>
            {
                await using var run = await new ExclusiveRuns(survivor).TryStartAsync("lease-reaper", CancellationToken.None);
                return run is not null;
            },
            TimeSpan.FromSeconds(5),
            "the next run on another instance");
    }
}
