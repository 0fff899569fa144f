using System.Collections.Concurrent;
using Lightdash.Net.Semantic;
using Microsoft.Extensions.Options;
using Lightdash.Net.Backend.Options;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// The explores of each project, loaded from its model files at start-up and again on refresh.
/// Each instance loads the files deployed beside it, so a refresh applies to the instance that serves it.
/// </summary>
public sealed class ExploreRegistry(IOptions<ProjectsOptions> projects, IHostEnvironment environment, ILogger<ExploreRegistry> logger)
{
    private readonly ConcurrentDictionary<Guid, ExploreCatalog> _catalogs = new();

    /// <summary>Loads every configured project's model files, so that their errors are logged at start-up.</summary>
    public void LoadAll()
    {
        foreach (var project in projects.Value.Items)
        {
            Get(project.ProjectUuid);
        }
    }

    /// <summary>The project's explores (empty for a project without model files).</summary>
    public ExploreCatalog Get(Guid projectUuid) => _catalogs.GetOrAdd(projectUuid, Load);

    /// <summary>Loads the project's model files again.</summary>
    public ExploreCatalog Refresh(Guid projectUuid)
    {
        var catalog = Load(projectUuid);
        _catalogs[projectUuid] = catalog;
        return catalog;
    }

    private ExploreCatalog Load(Guid projectUuid)
    {
        var path = projects.Value.Items.FirstOrDefault(p => p.ProjectUuid == projectUuid)?.ModelsPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            return ExploreCatalog.Empty;
        }

        var folder = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
        var catalog = ModelFileLoader.LoadFolder(folder);
        logger.LogInformation(
            "Project {ProjectUuid}: {Explores} explores loaded, {Errors} model errors, {Warnings} warnings",
            projectUuid, catalog.Explores.Count, catalog.Errors.Count, catalog.Warnings.Count);
        foreach (var error in catalog.Errors)
        {
            logger.LogWarning("Project {ProjectUuid} model error: {Problem}", projectUuid, error.ToString());
        }

        return catalog;
    }
}
