using Amazon.Runtime;
using Amazon.S3;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.ResultsStorage.Exports;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.ResultsStorage;

/// <summary>Registers the S3 results storage.</summary>
public static class ResultsStorageExtensions
{
    /// <summary>Adds the S3 client and the results storage built on it.</summary>
    public static WebApplicationBuilder AddResultsStorage(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ResultsStorageOptions>()
            .BindConfiguration(ResultsStorageOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHealthChecks().AddCheck<ResultsStorageHealthCheck>("resultsStorage", tags: [ApiExtensions.ReadyTag]);
        services.AddOptions<ExportsOptions>().BindConfiguration(ExportsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamingOptions>().BindConfiguration(StreamingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StreamingScheduler>();
        services.AddSingleton<IAmazonS3>(sp => CreateClient(sp.GetRequiredService<IOptions<ResultsStorageOptions>>().Value));
        // Parts in flight at once across uploads: a few per streaming result.
        services.AddSingleton(sp => new PartBufferPool(Math.Max(2, sp.GetRequiredService<IOptions<ResultsStorageOptions>>().Value.MaxConcurrentPartUploads * 2)));
        services.AddSingleton<IReleasableMemory>(sp => sp.GetRequiredService<PartBufferPool>());
        services.AddSingleton<ResultsBucketClient>();
        services.AddSingleton<S3ResultsWriter>();
        services.AddSingleton<ResultsIndexCache>();
        services.AddSingleton<ResultsBlockCache>();
        // Hot pages are hot while someone reads: the kept blocks and indexes go when the instance is quiet.
        services.AddSingleton<IReleasableMemory>(sp => sp.GetRequiredService<ResultsIndexCache>());
        services.AddSingleton<IReleasableMemory>(sp => sp.GetRequiredService<ResultsBlockCache>());
        services.AddSingleton<S3PageReader>();
        services.AddSingleton<LivePageReader>();
        services.AddSingleton<ChunkMemoryPool>();
        services.AddSingleton<IReleasableMemory>(sp => sp.GetRequiredService<ChunkMemoryPool>());
        services.AddSingleton<DeflatedChunks>();
        services.AddSingleton<CsvExportWriter>();
        services.AddSingleton<XlsxExportWriter>();
        services.AddSingleton<RowGroupMemoryPool>();
        services.AddSingleton<IReleasableMemory>(sp => sp.GetRequiredService<RowGroupMemoryPool>());
        services.AddSingleton<ParquetExportWriter>();
        services.AddSingleton<JsonlExportWriter>();
        services.AddSingleton<ResultExporter>();
        services.AddSingleton<Arrow.ArrowResultWriter>();
        services.AddSingleton<StoredFileDownloader>();
        services.AddSingleton<S3ResultsStore>();
        services.AddSingleton<WarehouseRefetchStore>();
        // Pages come from S3 when it is configured, else from the warehouse.
        services.AddSingleton<IResultsStore>(sp => sp.GetRequiredService<IOptions<ResultsStorageOptions>>().Value.Enabled
            ? sp.GetRequiredService<S3ResultsStore>()
            : sp.GetRequiredService<WarehouseRefetchStore>());
        return builder;
    }

    private static AmazonS3Client CreateClient(ResultsStorageOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Checksums only where S3 requires them: S3-compatible servers often reject the newer defaults.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }
}
