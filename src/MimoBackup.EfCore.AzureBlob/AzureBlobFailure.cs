using System.Text.RegularExpressions;
using Azure;
using Azure.Identity;

namespace MimoBackup.EfCore.AzureBlob;

/// <summary>
/// Turns what the SDK throws into a short <see cref="IOException"/>: the location, the HTTP status and the service's
/// error code. The SDK's own messages are never passed on (they carry request headers and URLs), nor inner
/// exceptions, so no key, SAS signature or connection string can reach a log through them.
/// </summary>
internal static partial class AzureBlobFailure
{
    /// <summary>True for what a call to the service throws when it fails, as opposed to a bug or a cancellation.</summary>
    public static bool IsServiceFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // the SDK's network timeout
        RequestFailedException or AuthenticationFailedException or HttpRequestException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(i => IsServiceFailure(i, cancellationToken)),
        // The transport's own (a reset connection); the store's own IOExceptions are already what they should be.
        IOException io => io.GetType().Namespace?.StartsWith("System", StringComparison.Ordinal) == true,
        _ => false,
    };

    /// <summary>The service's refusal of a write because the name is taken (If-None-Match: * on an existing blob).</summary>
    public static bool IsTaken(RequestFailedException e)
        => e.Status is 409 or 412 && e.ErrorCode is null or "BlobAlreadyExists" or "ConditionNotMet";

    /// <summary>True when the container (or the blob) is missing.</summary>
    public static bool IsNotFound(RequestFailedException e) => e.Status == 404;

    /// <summary>
    /// Why the service keeps a blob on purpose, or null when the failure is another: an immutability policy or legal
    /// hold (409), a lease, or a credential that may write but not delete (403 permission mismatch: a write-only SAS or
    /// role, set up so that a stolen credential cannot erase backups).
    /// </summary>
    public static string? RefusalReason(RequestFailedException e) => (e.Status, e.ErrorCode) switch
    {
        (409, "BlobImmutableDueToPolicy") => "409 BlobImmutableDueToPolicy: an immutability policy protects it",
        (409, "BlobImmutableDueToLegalHold") => "409 BlobImmutableDueToLegalHold: a legal hold protects it",
        (409 or 412, "LeaseIdMissing" or "LeaseIdMismatchWithBlobOperation") => $"{e.Status} {e.ErrorCode}: it is leased",
        (403, "AuthorizationPermissionMismatch" or "AuthorizationFailure") => $"403 {e.ErrorCode}: the credential may not delete",
        _ => null,
    };

    /// <summary>The short message form of a service failure at <paramref name="location"/>.</summary>
    public static IOException ToIOException(Exception e, string location) => new(Describe(e, location));

    /// <summary>The message for a failure at <paramref name="location"/>, with anything shaped like a secret removed.</summary>
    public static string Describe(Exception e, string location) => Redact(location + ": " + Cause(e));

    private static string Cause(Exception e) => e switch
    {
        // A retry that gave up wraps every try's failure; the last one says most.
        AggregateException aggregate when aggregate.InnerExceptions.Count > 0 => Cause(aggregate.InnerExceptions[^1]),
        RequestFailedException { Status: 0 } failure => "the service could not be reached" + Network(failure),
        RequestFailedException failure => $"{failure.Status} {failure.ErrorCode ?? "(no error code)"}{Hint(failure)}",
        AuthenticationFailedException => "no Azure credential could sign in (DefaultAzureCredential: sign in with az login or a managed identity, "
            + $"or set {AzureBlobAccount.ConnectionStringVariable})",
        OperationCanceledException => "the service did not answer in time",
        HttpRequestException or IOException => "the connection failed" + Network(e),
        _ => e.GetType().Name,
    };

    private static string Hint(RequestFailedException e) => e.ErrorCode switch
    {
        "ContainerNotFound" => " (the container does not exist)",
        "AuthenticationFailed" => " (the key or SAS was not accepted)",
        "AuthorizationFailure" or "AuthorizationPermissionMismatch" => " (the credential lacks a permission)",
        "InvalidResourceName" => " (not a valid container or blob name)",
        _ => e.Status switch
        {
            403 => " (access denied)",
            404 => " (not found)",
            _ => "",
        },
    };

    /// <summary>What the socket said (host, port, reason), which holds no query string.</summary>
    private static string Network(Exception e)
    {
        for (var inner = e.InnerException ?? e; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException or System.Net.Sockets.SocketException or IOException && inner.Message.Length is > 0 and < 200)
            {
                return " (" + inner.Message.TrimEnd('.') + ")";
            }
        }

        return "";
    }

    /// <summary>A last guard: key-like parts of connection strings and SAS tokens are cut from any message built here.</summary>
    private static string Redact(string message) => SecretPattern().Replace(message, "$1=(not shown)");

    [GeneratedRegex(@"\b(sig|AccountKey|SharedAccessSignature|SharedAccessKey|se|sp|sv)=[^;&\s)]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretPattern();
}
