using System.Collections.Concurrent;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Semantic;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// The explores of each project, from its latest model files deployed through the API (stored in the
/// metadata database), or else from its configured models folder. Loaded once per instance and kept;
/// a deploy or refresh is announced through the database and every instance forgets the project's
/// explores (<see cref="Invalidate"/>), loading them again on the next request.
/// </summary>
public sealed class ExploreRegistry(
    IOptions<ProjectsOptions> projects,
    IHostEnvironment environment,
    ModelVersionStore versions,
    ILogger<ExploreRegistry> logger)
{
    private readonly ConcurrentDictionary<Guid, Lazy<Task<LoadedModels>>> _loaded = new();

    /// <summary>Loads every configured project's models, so that their errors are logged at start-up.</summary>
    public async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        foreach (var project in projects.Value.Items)
        {
            await GetLoadedAsync(project.ProjectUuid, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The project's explores (empty for a project without model files).</summary>
    public async Task<ExploreCatalog> GetAsync(Guid projectUuid, CancellationToken cancellationToken) =>
        (await GetLoadedAsync(projectUuid, cancellationToken).ConfigureAwait(false)).Catalog;

    /// <summary>The project's explores with where they come from.</summary>
    public Task<LoadedModels> GetLoadedAsync(Guid projectUuid, CancellationToken cancellationToken)
    {
        var loading = _loaded.GetOrAdd(projectUuid, id => new Lazy<Task<LoadedModels>>(() => LoadAsync(id)));
        var task = loading.Value;
        // A failed load (the database was away) is not kept: the next request tries again.
        _ = task.ContinueWith(
            _ => _loaded.TryRemove(KeyValuePair.Create(projectUuid, loading)), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return task.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets the project's explores (its models changed): the next request loads them again.</summary>
    public void Invalidate(Guid projectUuid) => _loaded.TryRemove(projectUuid, out _);

    /// <summary>Forgets every project's explores (announcements may have been missed while the listener was away).</summary>
    public void InvalidateAll() => _loaded.Clear();

    /// <summary>The files of a configured models folder, or null when the project has none configured.</summary>
    public string? ConfiguredFolder(Guid projectUuid)
    {
        var path = projects.Value.Items.FirstOrDefault(p => p.ProjectUuid == projectUuid)?.ModelsPath;
        return string.IsNullOrWhiteSpace(path) ? null : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(environment.ContentRootPath, path));
    }

    private async Task<LoadedModels> LoadAsync(Guid projectUuid)
    {
        // Not the caller's token: the load is shared by every request waiting for it.
        LoadedModels loaded;
        if (await versions.GetFilesAsync(projectUuid, version: null, CancellationToken.None).ConfigureAwait(false) is var (version, files))
        {
            loaded = new LoadedModels(ModelFileLoader.Load(files.Select(f => (f.Path, f.Content))), ModelSource.Deployed, version);
        }
        else if (ConfiguredFolder(projectUuid) is { } folder)
        {
            loaded = new LoadedModels(ModelFileLoader.LoadFolder(folder), ModelSource.Folder, null);
        }
        else
        {
            return new LoadedModels(ExploreCatalog.Empty, ModelSource.None, null);
        }

        var catalog = loaded.Catalog;
        logger.LogInformation(
            "Project {ProjectUuid}: {Explores} explores loaded from {Source} (version {Version}), {Errors} model errors, {Warnings} warnings",
            projectUuid, catalog.Explores.Count, loaded.Source, loaded.Version, catalog.Errors.Count, catalog.Warnings.Count);
        foreach (var error in catalog.Errors)
        {
            logger.LogWarning("Project {ProjectUuid} model error: {Problem}", projectUuid, error.ToString());
        }

        return loaded;
    }
}

/// <summary>Where a project's explores come from.</summary>
public enum ModelSource
{
    /// <summary>The project has no model files.</summary>
    None,

    /// <summary>Its configured models folder.</summary>
    Folder,

    /// <summary>Files deployed through the API (the latest version).</summary>
    Deployed,
}

/// <summary>A project's explores and where they come from.</summary>
/// <param name="Catalog">The explores and the problems found loading them.</param>
/// <param name="Source">Deployed files, the configured folder, or none.</param>
/// <param name="Version">For deployed files: the version loaded.</param>
public sealed record LoadedModels(ExploreCatalog Catalog, ModelSource Source, int? Version);
