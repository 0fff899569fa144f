using Amazon.Runtime;
using Amazon.S3;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>S3 clients for the test command's S3 server, configured as the backend configures its own.</summary>
public static class TestS3
{
    public static AmazonS3Client CreateClient(HttpClientFactory? httpClientFactory = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = TestServers.S3ServiceUrl,
            ForcePathStyle = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (httpClientFactory is not null)
        {
            config.HttpClientFactory = httpClientFactory;
        }

        return new AmazonS3Client(new BasicAWSCredentials(TestServers.S3AccessKey, TestServers.S3SecretKey), config);
    }
}
