using System.Buffers;
using System.Text.Json;
using Lightdash.Net.TestSupport;
using Lightdash.Net.Warehouses;
using Lightdash.Net.Warehouses.DuckDb;
using Lightdash.Net.Warehouses.Postgres;

namespace Lightdash.Net.Semantic.Tests;

/// <summary>
/// A small shop on a real warehouse (PostgreSQL or DuckDB) with model files over it: fixtures derive
/// from it to compile metric queries and run their SQL, comparing with hand-computed rows.
/// </summary>
/// <param name="warehouse"><c>postgres</c> or <c>duckdb</c>.</param>
/// <param name="data">The SQL that creates and fills the tables (runs on both warehouses).</param>
/// <param name="files">The project's files: model YAML, <c>lightdash.config.yml</c>, <c>.md</c> doc blocks.</param>
public abstract class WarehouseShop(string warehouse, string data, IReadOnlyList<(string File, string Content)> files)
{
    private TestDatabase? _database;
    private string? _duckDbFile;
    private IWarehouseClient _client = null!;

    /// <summary>The explores the model files load into (asserted free of errors).</summary>
    protected ExploreCatalog Catalog { get; private set; } = null!;

    /// <summary>A compiler in the warehouse's dialect.</summary>
    protected MetricQueryCompiler Compiler { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task CreateShop()
    {
        Catalog = ModelFileLoader.Load(files);
        Assert.That(Catalog.Errors, Is.Empty, string.Join("\n", Catalog.Errors));
        if (warehouse == "postgres")
        {
            await TestServers.EnsurePostgresAsync();
            _database = await TestDatabase.CreateAsync("semantic");
            await _database.ExecuteAsync(data);
            _client = new PostgresWarehouseClient(_database.ReaderConnectionString);
        }
        else
        {
            _duckDbFile = Path.Combine(Path.GetTempPath(), $"lightdash-semantic-{Guid.NewGuid():N}.duckdb");
            _client = new DuckDbWarehouseClient($"Data Source={_duckDbFile}");
            await TestDuckDb.ExecuteAsync(_duckDbFile, data);
        }

        Compiler = new MetricQueryCompiler(_client.Dialect);
    }

    [OneTimeTearDown]
    public async Task DropShop()
    {
        if (_client is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_duckDbFile is not null)
        {
            File.Delete(_duckDbFile);
            File.Delete(_duckDbFile + ".wal");
        }
    }

    /// <summary>Changes the data (as the owner, not through the read-only client).</summary>
    protected Task ExecuteDataAsync(string sql) =>
        _database is not null ? _database.ExecuteAsync(sql) : TestDuckDb.ExecuteAsync(_duckDbFile!, sql);

    /// <summary>Runs SQL on the warehouse; each row as the JSON object the results pipeline writes.</summary>
    protected async Task<List<JsonElement>> RunSqlAsync(string sql)
    {
        await using var reader = await _client.ExecuteAsync(new WarehouseQuery(sql), CancellationToken.None);
        var rows = new List<JsonElement>();
        while (await reader.ReadAsync(CancellationToken.None))
        {
            var buffer = new ArrayBufferWriter<byte>();
            await using (var writer = new Utf8JsonWriter(buffer, JsonSerialization.RowWriterOptions))
            {
                reader.WriteRow(writer);
            }

            rows.Add(JsonDocument.Parse(buffer.WrittenMemory).RootElement.Clone());
        }

        return rows;
    }

    /// <summary>Compiles the query over an explore and runs it.</summary>
    protected Task<List<JsonElement>> RunAsync(MetricQuery query, string explore = "orders") =>
        RunSqlAsync(Compiler.Compile(Catalog.Explores[explore], query).Sql);

    /// <summary>A field of a row as a number.</summary>
    protected static decimal Number(JsonElement row, string field) => row.GetProperty(field).GetDecimal();
}
