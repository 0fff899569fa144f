namespace Lightdash.Net.Bench;

/// <summary>What the bench script passes on the command line.</summary>
public sealed record BenchOptions(
    string BaseUrl,
    Guid ProjectUuid,
    int BackendPid,
    string WarehouseConnection,
    string MetadataConnection,
    string PsqlDatabase,
    string Table,
    long Rows,
    string Only,
    string Token,
    string? WorkerEnvFile,
    string? BackendDll)
{
    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        return new BenchOptions(
            Get("url"),
            Guid.Parse(Get("project")),
            int.Parse(Get("pid"), System.Globalization.CultureInfo.InvariantCulture),
            Get("warehouse"),
            Get("metadata"),
            Get("psql-database"),
            Get("table"),
            long.Parse(Get("rows"), System.Globalization.CultureInfo.InvariantCulture),
            values.GetValueOrDefault("only", "all"),
            Get("token"),
            values.GetValueOrDefault("worker-env"),
            values.GetValueOrDefault("backend-dll"));
    }
}
