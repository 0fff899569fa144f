using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Contracts;
using Lightdash.Net.Backend.Errors;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Semantic;
using Lightdash.Net.Backend.Models;

namespace Lightdash.Net.Backend.Services;

/// <summary>A project's explores, as its members see them.</summary>
public sealed class ExploreService(ProjectAccess access, ExploreRegistry registry)
{
    /// <summary>Every explore of the project, with the problems of its model files (any member).</summary>
    public async Task<ExploreCatalogResults> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        return ToResults(registry.Get(projectUuid));
    }

    /// <summary>One explore (any member); 404 naming it when it does not exist, or listing its errors when it has some.</summary>
    public async Task<ExploreResults> GetAsync(CurrentUser user, Guid projectUuid, string exploreName, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var catalog = registry.Get(projectUuid);
        return catalog.Explores.TryGetValue(exploreName, out var explore)
            ? ToResults(explore)
            : throw new NotFoundException(MissingExplore.Message(catalog, exploreName, projectUuid));
    }

    /// <summary>Loads the project's model files again (project admins).</summary>
    public async Task<ExploreCatalogResults> RefreshAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        return ToResults(registry.Refresh(projectUuid));
    }

    private static ExploreCatalogResults ToResults(ExploreCatalog catalog) => new()
    {
        Explores = catalog.Explores.Values.OrderBy(e => e.Name, StringComparer.Ordinal).Select(ToResults).ToList(),
        Errors = catalog.Errors.Select(ToResults).ToList(),
        Warnings = catalog.Warnings.Select(ToResults).ToList(),
    };

    private static ExploreResults ToResults(Explore explore) => new()
    {
        Name = explore.Name,
        Label = explore.Label,
        Description = explore.Description,
        SourceFile = explore.SourceFile,
        Presentation = explore.Presentation,
        Tables = explore.Tables.Select(t => new ExploreTableResults
        {
            Name = t.Name,
            Label = t.Label,
            SqlFrom = t.SqlFrom,
            JoinType = t.Join?.Type,
            Relationship = t.Join?.Relationship,
            Description = t.Description,
        }).ToList(),
        Fields = explore.Fields.Values.Select(f => new ExploreFieldResults
        {
            Id = f.Id,
            Name = f.Name,
            Table = f.Table,
            FieldType = f.Kind == FieldKind.Dimension ? "dimension" : "metric",
            Type = f.Type,
            Label = f.Label,
            Description = f.Description,
            Hidden = f.Hidden,
            TimeInterval = f.TimeInterval,
            BaseDimension = f.BaseDimension,
            Format = f.Format,
            Round = f.Round,
            Presentation = f.Presentation,
        }).ToList(),
    };

    private static ModelProblemResults ToResults(ModelProblem problem) => new()
    {
        File = problem.File,
        Model = problem.Model,
        Field = problem.Field,
        Line = problem.Line,
        Message = problem.Message,
    };
}
