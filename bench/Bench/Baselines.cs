using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Lightdash.Net.Bench;
using Npgsql;

/// <summary>The baselines and timing helpers.</summary>
internal static class Baselines
{
    /// <summary>psql exporting the same rows as JSON lines into a file.</summary>
    public static Task<TimeSpan> PsqlCopyAsync(BenchOptions options) =>
        IntoTemporaryFileAsync("jsonl", file => ExportJsonLinesAsync(options, file));

    /// <summary>psql exporting the same rows as CSV (with a header) into a file.</summary>
    public static Task<TimeSpan> PsqlCsvAsync(BenchOptions options) =>
        IntoTemporaryFileAsync("csv", file => PsqlAsync(options, $"\\copy (SELECT * FROM {options.Table}) TO '{file}' WITH (FORMAT csv, HEADER)"));

    /// <summary>psql exporting the same rows in PostgreSQL's binary COPY format into a file: the warehouse's own fastest way out.</summary>
    public static Task<TimeSpan> PsqlBinaryAsync(BenchOptions options) =>
        IntoTemporaryFileAsync("bin", file => PsqlAsync(options, $"\\copy (SELECT * FROM {options.Table}) TO '{file}' WITH (FORMAT binary)"));

    /// <summary>Runs an export into a new temporary file with this extension, deleted afterwards; returns how long it took.</summary>
    private static async Task<TimeSpan> IntoTemporaryFileAsync(string extension, Func<string, Task<TimeSpan>> export)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lightdash-bench-{Guid.NewGuid():N}.{extension}");
        try
        {
            return await export(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The bench table as JSON lines in <paramref name="file"/>, written by psql; returns how long it took.</summary>
    private static Task<TimeSpan> ExportJsonLinesAsync(BenchOptions options, string file) =>
        PsqlAsync(options, $"\\copy (SELECT row_to_json(t) FROM {options.Table} t) TO '{file}'");

    /// <summary>Runs one psql command against the bench warehouse; returns how long it took.</summary>
    private static async Task<TimeSpan> PsqlAsync(BenchOptions options, string command)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.WarehouseConnection);
        var start = new ProcessStartInfo("psql")
        {
            ArgumentList =
            {
                "-X", "-q", "-h", builder.Host!, "-p", builder.Port.ToString(CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", options.PsqlDatabase,
                "-c", command,
            },
            RedirectStandardError = true,
            Environment = { ["PGPASSWORD"] = builder.Password ?? "" },
        };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed: {await process.StandardError.ReadToEndAsync()}");
        }

        return elapsed;
    }

    /// <summary>DuckDB (in this process) reading the same rows as JSON lines from a local file, then aggregating them: the median of <paramref name="runs"/>.</summary>
    public static async Task<TimeSpan> DuckDbOverLocalFileAsync(BenchOptions options, string aggregate, int runs)
    {
        var file = Path.Combine(Path.GetTempPath(), $"lightdash-bench-{Guid.NewGuid():N}.jsonl");
        await ExportJsonLinesAsync(options, file);
        try
        {
            var times = new List<double>();
            for (var run = 0; run < runs; run++)
            {
                var clock = Stopwatch.StartNew();
                await using var duck = new DuckDB.NET.Data.DuckDBConnection("Data Source=:memory:");
                await duck.OpenAsync();
                await using var command = duck.CreateCommand();
                command.CommandText = $"CREATE TABLE big AS SELECT * FROM read_json('{file}', format = 'newline_delimited'); {aggregate}";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                }

                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"  info: DuckDB over a local file, runs {string.Join(", ", times.Select(t => $"{t:N0}"))} ms");
            return TimeSpan.FromMilliseconds(Stats.Median(times));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The field-values query sent to PostgreSQL directly.</summary>
    public static async Task<TimeSpan> DistinctDirectAsync(BenchOptions options, string text)
    {
        await using var connection = new NpgsqlConnection(options.WarehouseConnection);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        await using var command = new NpgsqlCommand($"SELECT label FROM {options.Table} WHERE strpos(lower(label), lower(@text)) > 0 GROUP BY 1 ORDER BY 1 LIMIT 100", connection);
        command.Parameters.AddWithValue("text", text);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
        }

        return clock.Elapsed;
    }

    public static async Task<double> TimeGetAsync(BackendClient client, string path)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.Http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        return clock.Elapsed.TotalMilliseconds;
    }

    public static async Task<double> RequestsPerSecondAsync(BackendClient client, string path, TimeSpan duration, int concurrency)
    {
        var (count, elapsed) = await ClosedLoop.RunAsync(concurrency, duration, async (_, _) =>
        {
            using var response = await client.Http.GetAsync(path);
            response.EnsureSuccessStatusCode();
        });
        return count / elapsed.TotalSeconds;
    }
}
