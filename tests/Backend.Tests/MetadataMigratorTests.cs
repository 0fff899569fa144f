using Lightdash.Net.Backend.Platform;
using Lightdash.Net.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Instances starting together on a new metadata database: each migration and Hangfire's schema installed once, without errors.</summary>
[Category(TestCategories.Integration)]
public class MetadataMigratorTests
{
    [Test]
    public async Task ThreeInstancesStartingTogether_OnANewDatabase_AllMigrate_AndHangfiresSchemaIsThere()
    {
        await using var metadata = await TestDatabase.CreateAsync("meta");
        var options = Options.Create(new MetadataDatabaseOptions { ConnectionString = metadata.ConnectionString, HangfireSchema = "hangfire" });
        var sources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(metadata.ConnectionString)).ToList();
        try
        {
            await Task.WhenAll(sources.Select(source => Task.Run(() => new MetadataMigrator(source, options, NullLogger<MetadataMigrator>.Instance).MigrateAsync(CancellationToken.None))));

            Assert.That(await metadata.ScalarAsync<long>("select count(*) from hangfire.schema"), Is.GreaterThan(0), "Hangfire's schema installed");
            Assert.That(await metadata.ScalarAsync<bool>("select to_regclass('hangfire.jobqueue') is not null and to_regclass('public.query_history') is not null"), Is.True);
            // Again, as at the next start: nothing left to do, nothing fails.
            await new MetadataMigrator(sources[0], options, NullLogger<MetadataMigrator>.Instance).MigrateAsync(CancellationToken.None);
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }
}
