using Npgsql;

namespace Lightdash.Net.Bench;

/// <summary>
/// The metadata database's own counters (<c>pg_stat_database</c>, <c>pg_stat_user_tables</c>): transactions
/// and rows written, to tell what each query and each idle minute costs the database every instance shares.
/// </summary>
public sealed record MetadataActivity(long Transactions, long RowsWritten, IReadOnlyDictionary<string, long> RowsWrittenByTable)
{
    // PostgreSQL publishes a session's counters at most once a second: wait that long before reading.
    private static readonly TimeSpan StatsDelay = TimeSpan.FromMilliseconds(1500);

    /// <summary>The counters now (after the statistics of finished work were published).</summary>
    public static async Task<MetadataActivity> ReadAsync(BenchOptions options)
    {
        await Task.Delay(StatsDelay);
        await using var connection = new NpgsqlConnection(options.MetadataConnection);
        await connection.OpenAsync();
        await using var database = new NpgsqlCommand(
            "select xact_commit + xact_rollback, tup_inserted + tup_updated + tup_deleted from pg_stat_database where datname = current_database()", connection);
        long transactions, rows;
        await using (var reader = await database.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            (transactions, rows) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        var byTable = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var tables = new NpgsqlCommand("select schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del from pg_stat_user_tables", connection);
        await using (var reader = await tables.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                byTable[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        // A reading's own two or three transactions count in the next one: nothing beside a run of hundreds of queries.
        return new MetadataActivity(transactions, rows, byTable);
    }

    /// <summary>What happened between <paramref name="before"/> and this reading.</summary>
    public MetadataActivity Since(MetadataActivity before) => Less(before, 1);

    /// <summary>These counts less <paramref name="share"/> times <paramref name="other"/>'s (an earlier reading, or idle activity scaled to a run's length).</summary>
    public MetadataActivity Less(MetadataActivity other, double share) => new(
        Transactions - (long)(other.Transactions * share),
        RowsWritten - (long)(other.RowsWritten * share),
        RowsWrittenByTable.ToDictionary(t => t.Key, t => t.Value - (long)(other.RowsWrittenByTable.GetValueOrDefault(t.Key) * share)));

    /// <summary>The tables written most, for an info line.</summary>
    public string TopTables(int count, double per) =>
        string.Join(", ", RowsWrittenByTable.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Take(count).Select(t => $"{t.Key} {t.Value / per:N1}"));
}
