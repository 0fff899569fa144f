using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Explores;

/// <summary>
/// Deploys a project's model files through the API, the way Lightdash's CLI deploys: the files are
/// validated (a deploy with model errors is refused unless asked otherwise), stored in the metadata
/// database as the project's next version, and announced so that every instance serves them at once.
/// </summary>
public sealed class ModelDeployService(ProjectAccess access, ModelVersionStore versions, ExploreRegistry registry, ILogger<ModelDeployService> logger)
{
    /// <summary>The most files of one deploy.</summary>
    public const int MaxFiles = 2000;

    /// <summary>The longest file path.</summary>
    public const int MaxPathLength = 512;

    /// <summary>The most text of one deploy, all files together, in UTF-8 bytes (16 MiB).</summary>
    public const long MaxDeployBytes = 16L << 20;

    /// <summary>The most YAML nodes of one deploy, all files together, with aliases expanded.</summary>
    public const long MaxDeployNodes = 4_000_000;

    /// <summary>The most errors listed in a refused deploy's message (all are in its data).</summary>
    private const int ErrorsInMessage = 5;

    /// <summary>The most versions listed.</summary>
    private const int MaxVersionsListed = 100;

    /// <summary>Validates and stores the files as the project's next version (project admins).</summary>
    public async Task<DeployModelsResults> DeployAsync(CurrentUser user, Guid projectUuid, DeployModelsRequest request, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var files = CheckFiles(request.Files);
        var catalog = ModelFileLoader.Load(files.Select(f => (f.Path, f.Content)));
        if (catalog.Errors.Count > 0 && !request.IgnoreErrors)
        {
            var listed = string.Join("; ", catalog.Errors.Take(ErrorsInMessage));
            throw new ValidationException(
                $"The model files have {catalog.Errors.Count} error(s), so nothing was deployed: {listed}{(catalog.Errors.Count > ErrorsInMessage ? "; ..." : "")}. " +
                "Fix them, or deploy with ignoreErrors to leave those models out.",
                new { errors = catalog.Errors.Select(ExploreService.ToResults).ToList() });
        }

        var version = await versions.InsertAsync(projectUuid, files, catalog.Explores.Count, catalog.Errors.Count, catalog.Warnings.Count, user.UserUuid, cancellationToken)
            ?? throw new NotFoundException($"Project {projectUuid} does not exist.");
        registry.Invalidate(projectUuid);
        logger.LogInformation(
            "Project {ProjectUuid}: model version {Version} deployed by {UserUuid} ({Files} files, {Explores} explores, {Errors} errors)",
            projectUuid, version.Version, user.UserUuid, files.Count, catalog.Explores.Count, catalog.Errors.Count);
        var loaded = await registry.GetLoadedAsync(projectUuid, cancellationToken);
        return new DeployModelsResults { Version = ToResults(version), Catalog = ExploreService.ToResults(loaded, null) };
    }

    /// <summary>Deletes every deployed version (project admins): the project's explores come from its configured folder again, on every instance.</summary>
    public async Task<ExploreCatalogResults> UndeployAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Admin, cancellationToken);
        var deleted = await versions.DeleteAllAsync(projectUuid, cancellationToken);
        if (deleted == 0)
        {
            throw new NotFoundException($"Project {projectUuid} has no deployed model files.");
        }

        registry.Invalidate(projectUuid);
        logger.LogInformation("Project {ProjectUuid}: {Count} deployed model versions deleted by {UserUuid}", projectUuid, deleted, user.UserUuid);
        return ExploreService.ToResults(await registry.GetLoadedAsync(projectUuid, cancellationToken), null);
    }

    /// <summary>The project's deployed versions, newest first (developers and admins).</summary>
    public async Task<IReadOnlyList<ModelVersionResults>> ListAsync(CurrentUser user, Guid projectUuid, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        return (await versions.ListAsync(projectUuid, MaxVersionsListed, cancellationToken)).Select(ToResults).ToList();
    }

    /// <summary>The files of one deployed version (developers and admins).</summary>
    public async Task<ModelVersionFilesResults> GetFilesAsync(CurrentUser user, Guid projectUuid, int version, CancellationToken cancellationToken)
    {
        await access.RequireAsync(user, projectUuid, ProjectRole.Developer, cancellationToken);
        var found = await versions.GetFilesAsync(projectUuid, version, cancellationToken)
            ?? throw new NotFoundException($"Project {projectUuid} has no model version {version}.");
        return new ModelVersionFilesResults
        {
            Version = found.Version,
            Files = found.Files.Select(f => new ModelFileResults { Path = f.Path, Content = f.Content }).ToList(),
        };
    }

    /// <summary>The files, checked: a bounded number, each with a safe relative path of a project file type, no path twice.</summary>
    private static List<ModelVersionStore.ModelFile> CheckFiles(IReadOnlyList<ModelFileBody>? files)
    {
        if (files is null || files.Count == 0)
        {
            throw new ValidationException("files is required: every model file of the project, as { path, content }.");
        }

        if (files.Count > MaxFiles)
        {
            throw new ValidationException($"files has {files.Count} entries; at most {MaxFiles} are accepted.");
        }

        var checkedFiles = new List<ModelVersionStore.ModelFile>(files.Count);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        long deployBytes = 0, deployNodes = 0;
        foreach (var file in files)
        {
            var path = file?.Path?.Trim() ?? "";
            var problem = path switch
            {
                "" => "a file has no path",
                { Length: > MaxPathLength } => $"a path is {path.Length} characters long; at most {MaxPathLength} are accepted",
                _ when path.StartsWith('/') || path.Contains('\\', StringComparison.Ordinal) || path.Contains(':', StringComparison.Ordinal) =>
                    $"path \"{path}\" must be relative, with / between folders",
                _ when path.Split('/').Any(part => part is "" or "." or "..") => $"path \"{path}\" has an empty, . or .. part",
                _ when path.Any(char.IsControl) => "a path holds a control character",
                _ when !ModelFileLoader.IsProjectFile(path) => $"path \"{path}\" is not a .yml, .yaml or .md file",
                _ when !paths.Add(path) => $"path \"{path}\" is given twice",
                _ when file!.Content is null => $"file \"{path}\" has no content",
                _ when file!.Content!.Contains('\0', StringComparison.Ordinal) => $"file \"{path}\" holds a NUL character",
                _ when (deployBytes += System.Text.Encoding.UTF8.GetByteCount(file!.Content!)) > MaxDeployBytes =>
                    $"the files hold more than {MaxDeployBytes:N0} bytes together",
                _ => CheckYaml(path, file!.Content!, ref deployNodes),
            };
            if (problem is not null)
            {
                throw new ValidationException($"Cannot deploy: {problem}.");
            }

            checkedFiles.Add(new ModelVersionStore.ModelFile(path, file!.Content!));
        }

        return checkedFiles;
    }

    // Checked on YAML's events before anything is built or expanded: size, depth, expanded nodes.
    private static string? CheckYaml(string path, string content, ref long deployNodes)
    {
        if (path.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var measure = YamlBudget.Default.Measure(content);
        if (measure.Excess is { } excess)
        {
            return $"file \"{path}\" is refused: {excess}";
        }

        deployNodes += measure.Nodes;
        return deployNodes > MaxDeployNodes ? $"the files hold more than {MaxDeployNodes:N0} YAML nodes together, aliases expanded" : null;
    }

    private static ModelVersionResults ToResults(ModelVersionStore.ModelVersion version) => new()
    {
        Version = version.Version,
        ExploreCount = version.ExploreCount,
        ErrorCount = version.ErrorCount,
        WarningCount = version.WarningCount,
        DeployedByUserUuid = version.DeployedBy,
        DeployedAt = version.DeployedAt,
    };
}
