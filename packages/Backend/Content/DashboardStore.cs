using Dapper;
using Lightdash.Net.Backend.Platform;
using Npgsql;

namespace Lightdash.Net.Backend.Content;

/// <summary>Reads and writes <c>dashboards</c> and their tiles.</summary>
public sealed class DashboardStore(NpgsqlDataSource dataSource)
{
    private const string InsertDashboardSql = """
        INSERT INTO dashboards (dashboard_uuid, project_uuid, name, description, filters)
        VALUES (@dashboardUuid, @projectUuid, @name, @description, CAST(@filters AS jsonb))
        """;

    private const string InsertTileSql = """
        INSERT INTO dashboard_tiles (tile_uuid, dashboard_uuid, position, saved_chart_uuid, saved_sql_uuid)
        VALUES (@TileUuid, @dashboardUuid, @Position, @SavedChartUuid, @SavedSqlUuid)
        """;

    private const string SelectSql = """
        SELECT dashboard_uuid AS DashboardUuid, project_uuid AS ProjectUuid, name AS Name, description AS Description, filters::text AS FiltersJson
        FROM dashboards WHERE project_uuid = @projectUuid AND (@dashboardUuid::uuid IS NULL OR dashboard_uuid = @dashboardUuid)
        ORDER BY name
        """;

    private const string TilesSql = """
        SELECT t.tile_uuid AS TileUuid, t.position AS Position, t.saved_chart_uuid AS SavedChartUuid, t.saved_sql_uuid AS SavedSqlUuid
        FROM dashboard_tiles t WHERE t.dashboard_uuid = @dashboardUuid ORDER BY t.position
        """;

    private const string ProjectTilesSql = """
        SELECT t.dashboard_uuid AS DashboardUuid, t.tile_uuid AS TileUuid, t.position AS Position, t.saved_chart_uuid AS SavedChartUuid, t.saved_sql_uuid AS SavedSqlUuid
        FROM dashboard_tiles t JOIN dashboards d ON d.dashboard_uuid = t.dashboard_uuid
        WHERE d.project_uuid = @projectUuid ORDER BY t.dashboard_uuid, t.position
        """;

    private const string DeleteSql = "DELETE FROM dashboards WHERE project_uuid = @projectUuid AND dashboard_uuid = @dashboardUuid";

    private const string UpdateSql = """
        UPDATE dashboards SET name = @name, description = @description, filters = CAST(@filters AS jsonb)
        WHERE project_uuid = @projectUuid AND dashboard_uuid = @dashboardUuid
        """;

    private const string DeleteTilesSql = "DELETE FROM dashboard_tiles WHERE dashboard_uuid = @dashboardUuid";

    /// <summary>A dashboard.</summary>
    public sealed record Dashboard(Guid DashboardUuid, Guid ProjectUuid, string Name, string? Description, string FiltersJson)
    {
        /// <summary>Its tiles, in order.</summary>
        public IReadOnlyList<Tile> Tiles { get; init; } = [];
    }

    /// <summary>A tile: a saved chart or a saved SQL chart.</summary>
    public sealed record Tile(Guid TileUuid, int Position, Guid? SavedChartUuid, Guid? SavedSqlUuid);

    /// <summary>Creates a dashboard with its tiles.</summary>
    public async Task<Dashboard> CreateAsync(Guid projectUuid, string name, string? description, string filters, IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        var dashboardUuid = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(InsertDashboardSql, new { dashboardUuid, projectUuid, name, description, filters }, transaction, cancellationToken: cancellationToken));
        foreach (var tile in tiles)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertTileSql, new { tile.TileUuid, dashboardUuid, tile.Position, tile.SavedChartUuid, tile.SavedSqlUuid }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return await GetAsync(projectUuid, dashboardUuid, cancellationToken);
    }

    /// <summary>Replaces a dashboard's name, description, filters and tiles; 404 when missing.</summary>
    public async Task<Dashboard> ReplaceAsync(Guid projectUuid, Guid dashboardUuid, string name, string? description, string filters, IReadOnlyList<Tile> tiles, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(UpdateSql, new { projectUuid, dashboardUuid, name, description, filters }, transaction, cancellationToken: cancellationToken)) == 0)
        {
            throw new NotFoundException($"Dashboard {dashboardUuid} does not exist in project {projectUuid}.");
        }

        await connection.ExecuteAsync(new CommandDefinition(DeleteTilesSql, new { dashboardUuid }, transaction, cancellationToken: cancellationToken));
        foreach (var tile in tiles)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertTileSql, new { tile.TileUuid, dashboardUuid, tile.Position, tile.SavedChartUuid, tile.SavedSqlUuid }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return await GetAsync(projectUuid, dashboardUuid, cancellationToken);
    }

    /// <summary>The dashboard with its tiles; 404 when missing.</summary>
    public async Task<Dashboard> GetAsync(Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var dashboard = await connection.QuerySingleOrDefaultAsync<Dashboard>(new CommandDefinition(SelectSql, new { projectUuid, dashboardUuid }, cancellationToken: cancellationToken))
            ?? throw new NotFoundException($"Dashboard {dashboardUuid} does not exist in project {projectUuid}.");
        var tiles = await connection.QueryAsync<Tile>(new CommandDefinition(TilesSql, new { dashboardUuid }, cancellationToken: cancellationToken));
        return dashboard with { Tiles = tiles.ToList() };
    }

    /// <summary>The project's dashboards with their tiles (two queries, whatever their number).</summary>
    public async Task<IReadOnlyList<Dashboard>> ListAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var dashboards = await connection.QueryAsync<Dashboard>(new CommandDefinition(SelectSql, new { projectUuid, dashboardUuid = (Guid?)null }, cancellationToken: cancellationToken));
        var tiles = (await connection.QueryAsync<ProjectTile>(new CommandDefinition(ProjectTilesSql, new { projectUuid }, cancellationToken: cancellationToken)))
            .ToLookup(t => t.DashboardUuid, t => new Tile(t.TileUuid, t.Position, t.SavedChartUuid, t.SavedSqlUuid));
        return dashboards.Select(d => d with { Tiles = tiles[d.DashboardUuid].ToList() }).ToList();
    }

    private sealed record ProjectTile(Guid DashboardUuid, Guid TileUuid, int Position, Guid? SavedChartUuid, Guid? SavedSqlUuid);

    /// <summary>Deletes a dashboard; 404 when missing.</summary>
    public async Task DeleteAsync(Guid projectUuid, Guid dashboardUuid, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(DeleteSql, new { projectUuid, dashboardUuid }, cancellationToken: cancellationToken)) == 0)
        {
            throw new NotFoundException($"Dashboard {dashboardUuid} does not exist in project {projectUuid}.");
        }
    }
}
