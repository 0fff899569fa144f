using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Merged queries: several metric queries of one project, each compiled as usual (its own filters,
/// sorts and limit), joined in the warehouse on the dimensions they all share (every key of any query
/// keeps its row, with NULLs where a query lacks it; NULL keys match NULL keys), as one query with its own
/// history row and pages. Without shared dimensions, queries without dimensions (one row each) are
/// put side by side.
/// </summary>
public sealed class MergeQueryService(ProjectAccess access, MetricQueryService metricQueries, QueryVariablesService variablesService, WarehouseClientFactory warehouses, AsyncQueryService queries)
{
    private const int MinQueries = 2;
    private const int MaxQueries = 5;

    /// <summary>Compiles, joins and submits the queries (any member; developers when a query has table calculations).</summary>
    public async Task<ExecuteMetricQueryResults> ExecuteAsync(CurrentUser user, Guid projectUuid, MergeQueryRequest request, CancellationToken cancellationToken)
    {
        var bodies = request.Queries ?? [];
        if (bodies.Count is < MinQueries or > MaxQueries || bodies.Any(b => b is null))
        {
            throw new ValidationException($"queries takes {MinQueries} to {MaxQueries} metric queries, not {bodies.Count}.");
        }

        var needed = bodies.Any(b => b.TableCalculations is { Count: > 0 }) ? ProjectRole.Developer : ProjectRole.Viewer;
        var project = await access.RequireAsync(user, projectUuid, needed, cancellationToken);
        var (variables, parametersJson) = await variablesService.ResolveAsync(user, project, request.Parameters, cancellationToken);
        var compiled = new List<Semantic.CompiledMetricQuery>();
        foreach (var body in bodies)
        {
            compiled.Add(await metricQueries.CompileAsync(project, body, variables, cancellationToken));
        }

        var shared = SharedDimensions(compiled);
        var sql = MergedSql(warehouses.GetClient(project.Warehouse).Dialect, compiled, shared);
        var fields = MetricQueryService.FieldsOf(compiled.SelectMany(c => c.Fields).DistinctBy(f => f.Id));
        var submitted = await queries.SubmitAndWaitAsync(
            user,
            project,
            new CompiledSubmission(
                sql,
                null,
                request.Context ?? QueryContext.MergeQuery.ToName(),
                request.InvalidateCache == true,
                JsonSerializer.Serialize(new { queries = bodies }, JsonSerializerOptions.Web),
                JsonSerializer.Serialize(fields, JsonSerializerOptions.Web),
                StatementTimeout: InputLimits.StatementTimeout(request.StatementTimeoutSeconds),
                ParametersJson: parametersJson).For(request),
            request.WaitMs,
            cancellationToken);
        return new ExecuteMetricQueryResults
        {
            QueryUuid = submitted.QueryUuid,
            CacheMetadata = submitted.CacheMetadata,
            MetricQuery = bodies[0],
            Fields = fields,
            FirstPage = submitted.FirstPage,
        };
    }

    /// <summary>The dimensions every query has (the join keys); 400 when there are none but some query has dimensions, or a column would come from two queries.</summary>
    private static HashSet<string> SharedDimensions(List<Semantic.CompiledMetricQuery> compiled)
    {
        var dimensionSets = compiled.Select(c => c.Fields.Where(f => f.Kind == Semantic.FieldKind.Dimension).Select(f => f.Id).ToHashSet(StringComparer.Ordinal)).ToList();
        var shared = dimensionSets.Skip(1).Aggregate(new HashSet<string>(dimensionSets[0], StringComparer.Ordinal), (all, next) => { all.IntersectWith(next); return all; });
        if (shared.Count == 0 && dimensionSets.Any(d => d.Count > 0))
        {
            throw new ValidationException("The queries share no dimension to join on: give them a dimension in common, or no dimensions at all (totals side by side).");
        }

        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < compiled.Count; i++)
        {
            foreach (var field in compiled[i].Fields.Where(f => !shared.Contains(f.Id)))
            {
                if (!owners.TryAdd(field.Id, i))
                {
                    throw new ValidationException($"{field.Id} is in queries {owners[field.Id] + 1} and {i + 1} without being a dimension of every query; each column of the merge must come from one query.");
                }
            }
        }

        return shared;
    }

    /// <summary>
    /// Each query once, as a CTE; the keys of all of them (UNION: NULL matches NULL), then each query
    /// left-joined on them (IS NOT DISTINCT FROM, which a full join cannot use on every warehouse).
    /// Without keys, the queries side by side.
    /// </summary>
    private static string MergedSql(ISqlDialect dialect, List<Semantic.CompiledMetricQuery> compiled, HashSet<string> shared)
    {
        string Alias(int i) => dialect.QuoteIdentifier($"lightdash_q{i + 1}");
        string Column(string table, string id) => $"{table}.{dialect.QuoteIdentifier(id)}";
        var keyOrder = compiled[0].Fields.Where(f => shared.Contains(f.Id)).Select(f => f.Id).ToList();
        const string Keys = "lightdash_keys";
        var sql = new StringBuilder("WITH ").AppendJoin(",\n", compiled.Select((c, i) => $"{Alias(i)} AS (\n{c.Sql}\n)"));
        var select = keyOrder.Select(id => Column(Keys, id))
            .Concat(compiled.SelectMany((c, i) => c.Fields.Where(f => !shared.Contains(f.Id)).Select(f => Column(Alias(i), f.Id))));
        sql.Append("\nSELECT ").AppendJoin(", ", select);
        if (keyOrder.Count == 0)
        {
            return sql.Append("\nFROM ").AppendJoin(" CROSS JOIN ", compiled.Select((_, i) => Alias(i))).ToString();
        }

        var keyColumns = string.Join(", ", keyOrder.Select(dialect.QuoteIdentifier));
        sql.Append("\nFROM (").AppendJoin(" UNION ", compiled.Select((_, i) => $"SELECT {keyColumns} FROM {Alias(i)}")).Append(") AS ").Append(Keys);
        for (var i = 0; i < compiled.Count; i++)
        {
            var alias = Alias(i);
            sql.Append("\nLEFT JOIN ").Append(alias).Append(" ON ")
                .AppendJoin(" AND ", keyOrder.Select(id => $"{Column(alias, id)} IS NOT DISTINCT FROM {Column(Keys, id)}"));
        }

        return sql.Append("\nORDER BY ").AppendJoin(", ", Enumerable.Range(1, keyOrder.Count)).ToString();
    }
}
