using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Explores;

/// <summary>A project's explores, as its members see them.</summary>
public sealed class ExploreService(ProjectAccess access, ExploreRegistry registry, ModelVersionStore versions, UserAttributeStore attributes)
{
    /// <summary>Every explore of the project, with the problems of its model files (any member).</summary>
    public async Task<ExploreCatalogResults> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var caller = await CallerAsync(user, cancellationToken);
        return ToResults(await registry.GetLoadedAsync(projectUuid, cancellationToken), caller);
    }

    /// <summary>One explore (any member); 404 naming it when it does not exist, or listing its errors when it has some.</summary>
    public async Task<ExploreResults> GetAsync(CurrentUser user, Guid projectUuid, string exploreName, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Viewer, cancellationToken);
        var catalog = await registry.GetAsync(projectUuid, cancellationToken);
        if (!catalog.Explores.TryGetValue(exploreName, out var explore))
        {
            throw new NotFoundException(MissingExplore.Message(catalog, exploreName, projectUuid));
        }

        var caller = await CallerAsync(user, cancellationToken);
        return AttributeRequirement.AllowAll(explore.Access, caller)
            ? ToResults(explore, caller)
            : throw new ForbiddenException($"You do not have access to explore {exploreName}.");
    }

    /// <summary>Loads the project's model files again, on every instance (project admins).</summary>
    public async Task<ExploreCatalogResults> RefreshAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        registry.Invalidate(projectUuid);
        await versions.AnnounceAsync(projectUuid, cancellationToken);
        return ToResults(await registry.GetLoadedAsync(projectUuid, cancellationToken), null);
    }

    /// <summary>
    /// A project's explores as the routes answer them: for a caller, only the explores and fields their
    /// user attributes allow (null: all of them, for project admins refreshing or deploying).
    /// </summary>
    internal static ExploreCatalogResults ToResults(LoadedModels loaded, QueryUser? caller) => new()
    {
        Source = loaded.Source.ToString().ToLowerInvariant(),
        Version = loaded.Version,
        Explores = loaded.Catalog.Explores.Values
            .Where(e => caller is null || AttributeRequirement.AllowAll(e.Access, caller))
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => ToResults(e, caller))
            .ToList(),
        Errors = loaded.Catalog.Errors.Select(ToResults).ToList(),
        Warnings = loaded.Catalog.Warnings.Select(ToResults).ToList(),
    };

    private async Task<QueryUser> CallerAsync(CurrentUser user, CancellationToken cancellationToken) =>
        new(user.UserUuid, user.Email, await attributes.ForUserAsync(user.UserUuid, cancellationToken));

    private static ExploreResults ToResults(Explore explore, QueryUser? caller) => new()
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
        Fields = explore.Fields.Values.Where(f => caller is null || AttributeRequirement.AllowAll(f.Access, caller)).Select(f => new ExploreFieldResults
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

    /// <summary>A model problem as the routes answer it.</summary>
    internal static ModelProblemResults ToResults(ModelProblem problem) => new()
    {
        File = problem.File,
        Model = problem.Model,
        Field = problem.Field,
        Line = problem.Line,
        Message = problem.Message,
    };
}
