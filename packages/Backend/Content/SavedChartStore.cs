using Dapper;
using Lightdash.Net.Backend.Platform;
using Npgsql;

namespace Lightdash.Net.Backend.Content;

/// <summary>Reads and writes <c>saved_charts</c> and their versions.</summary>
public sealed class SavedChartStore(NpgsqlDataSource dataSource)
{
    private const string InsertChartSql = """
        INSERT INTO saved_charts (saved_chart_uuid, project_uuid, name, description, created_by_user_uuid)
        VALUES (@chartUuid, @projectUuid, @name, @description, @userUuid)
        """;

    private const string InsertVersionSql = """
        INSERT INTO saved_chart_versions (version_uuid, saved_chart_uuid, metric_query, chart_config, created_by_user_uuid)
        VALUES (@versionUuid, @chartUuid, CAST(@metricQuery AS jsonb), CAST(@chartConfig AS jsonb), @userUuid)
        """;

    private const string VersionColumns = """
        c.saved_chart_uuid AS SavedChartUuid, c.project_uuid AS ProjectUuid, c.name AS Name, c.description AS Description,
        v.version_uuid AS VersionUuid, v.metric_query::text AS MetricQueryJson, v.chart_config::text AS ChartConfigJson, v.created_at AS VersionCreatedAt
        """;

    private const string SelectVersionSql = $"""
        SELECT {VersionColumns}
        FROM saved_charts c JOIN saved_chart_versions v USING (saved_chart_uuid)
        WHERE c.project_uuid = @projectUuid AND c.saved_chart_uuid = @chartUuid AND (@versionUuid::uuid IS NULL OR v.version_uuid = @versionUuid)
        ORDER BY v.created_at DESC
        LIMIT 1
        """;

    private const string ListSql = $"""
        SELECT DISTINCT ON (c.saved_chart_uuid) {VersionColumns}
        FROM saved_charts c JOIN saved_chart_versions v USING (saved_chart_uuid)
        WHERE c.project_uuid = @projectUuid
        ORDER BY c.saved_chart_uuid, v.created_at DESC
        """;

    private const string VersionsSql = """
        SELECT v.version_uuid FROM saved_chart_versions v JOIN saved_charts c USING (saved_chart_uuid)
        WHERE c.project_uuid = @projectUuid AND c.saved_chart_uuid = @chartUuid ORDER BY v.created_at DESC
        """;

    private const string DeleteSql = "DELETE FROM saved_charts WHERE project_uuid = @projectUuid AND saved_chart_uuid = @chartUuid";

    private const string RenameSql = """
        UPDATE saved_charts SET name = @name, description = @description WHERE project_uuid = @projectUuid AND saved_chart_uuid = @chartUuid
        """;

    /// <summary>One version of a chart.</summary>
    public sealed record ChartVersion(
        Guid SavedChartUuid, Guid ProjectUuid, string Name, string? Description, Guid VersionUuid, string MetricQueryJson, string ChartConfigJson, DateTime VersionCreatedAt);

    /// <summary>Creates a chart with its first version; returns that version.</summary>
    public async Task<ChartVersion> CreateAsync(Guid projectUuid, string name, string? description, string metricQuery, string chartConfig, Guid userUuid, CancellationToken cancellationToken)
    {
        var chartUuid = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertChartSql, new { chartUuid, projectUuid, name, description, userUuid }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            InsertVersionSql, new { versionUuid = Guid.NewGuid(), chartUuid, metricQuery, chartConfig, userUuid }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return await GetAsync(projectUuid, chartUuid, null, cancellationToken);
    }

    /// <summary>Saves a new version of a chart; returns it.</summary>
    public async Task<ChartVersion> AddVersionAsync(Guid projectUuid, Guid chartUuid, string metricQuery, string chartConfig, Guid userUuid, CancellationToken cancellationToken)
    {
        await GetAsync(projectUuid, chartUuid, null, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            InsertVersionSql, new { versionUuid = Guid.NewGuid(), chartUuid, metricQuery, chartConfig, userUuid }, cancellationToken: cancellationToken));
        return await GetAsync(projectUuid, chartUuid, null, cancellationToken);
    }

    /// <summary>A version of the chart (the newest when <paramref name="versionUuid"/> is null); 404 when missing.</summary>
    public async Task<ChartVersion> GetAsync(Guid projectUuid, Guid chartUuid, Guid? versionUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ChartVersion>(new CommandDefinition(
                SelectVersionSql, new { projectUuid, chartUuid, versionUuid }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException(versionUuid is null
                ? $"Chart {chartUuid} does not exist in project {projectUuid}."
                : $"Chart {chartUuid} has no version {versionUuid}.");
    }

    /// <summary>The ids of a chart's versions, newest first.</summary>
    public async Task<IReadOnlyList<Guid>> VersionsAsync(Guid projectUuid, Guid chartUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>(new CommandDefinition(VersionsSql, new { projectUuid, chartUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>The newest version of each chart of the project.</summary>
    public async Task<IReadOnlyList<ChartVersion>> ListAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<ChartVersion>(new CommandDefinition(ListSql, new { projectUuid }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Renames a chart; 404 when missing.</summary>
    public async Task RenameAsync(Guid projectUuid, Guid chartUuid, string name, string? description, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(RenameSql, new { projectUuid, chartUuid, name, description }, cancellationToken: cancellationToken)) == 0)
        {
            throw new NotFoundException($"Chart {chartUuid} does not exist in project {projectUuid}.");
        }
    }

    /// <summary>Deletes a chart and its versions; 404 when missing.</summary>
    public async Task DeleteAsync(Guid projectUuid, Guid chartUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid, chartUuid }, cancellationToken: cancellationToken)) == 0)
        {
            throw new NotFoundException($"Chart {chartUuid} does not exist in project {projectUuid}.");
        }
    }
}
