using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using MimoBackup.EfCore.Engine;

namespace MimoBackup.EfCore.S3;

/// <summary>
/// Turns what the SDK and the network throw into the store's errors: an <see cref="IOException"/> with a short message
/// (where, the HTTP status, the S3 error code) that never carries a secret. Cancellation stays cancellation.
/// </summary>
internal static partial class S3Failure
{
    /// <summary>Whether <paramref name="e"/> is one the store translates (everything but cancellation and bugs).</summary>
    public static bool IsTranslatable(Exception e, CancellationToken cancellationToken)
        => e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>Whether the service answered that the key (or the bucket, for HEAD) is not there.</summary>
    public static bool IsNotFound(Exception e) => e is AmazonServiceException { StatusCode: HttpStatusCode.NotFound };

    /// <summary>Whether the service answered that the bucket does not exist.</summary>
    public static bool IsNoSuchBucket(Exception e) => e is AmazonServiceException { ErrorCode: "NoSuchBucket" };

    /// <summary>Whether a conditional write found the name taken (<c>If-None-Match: *</c>).</summary>
    public static bool IsPreconditionFailed(Exception e)
        => e is AmazonServiceException { StatusCode: HttpStatusCode.PreconditionFailed } or AmazonServiceException { ErrorCode: "PreconditionFailed" };

    /// <summary>
    /// Why the service keeps an object it was asked to delete, or null when the failure is not a refusal: a policy
    /// or object lock (AccessDenied), a retention or legal hold (InvalidRequest naming the lock), MethodNotAllowed.
    /// </summary>
    public static string? DeleteRefusal(Exception e) => e switch
    {
        // Not every 403: InvalidAccessKeyId or SignatureDoesNotMatch are credentials to fix, not a refusal.
        AmazonServiceException { ErrorCode: "AccessDenied" or "MethodNotAllowed" } s => Status(s),
        AmazonServiceException { ErrorCode: "InvalidRequest" } s when s.Message is { } m
            && (m.Contains("lock", StringComparison.OrdinalIgnoreCase) || m.Contains("retention", StringComparison.OrdinalIgnoreCase)
                || m.Contains("legal hold", StringComparison.OrdinalIgnoreCase)) => Status(s) + ": " + Short(Redact(m)),
        _ => null,
    };

    /// <summary>The store's exception for a failed <paramref name="action"/> on <paramref name="location"/>.</summary>
    public static IOException Translate(Exception e, string location, string action)
    {
        if (IsNoSuchBucket(e))
        {
            return new IOException($"{location}: the bucket does not exist ({Status((AmazonServiceException)e)})");
        }

        if (e is FileNotFoundException or StoredObjectExistsException or StoredObjectChecksumException or StoredObjectDeleteRefusedException)
        {
            return (IOException)e;
        }

        return new IOException($"{location}: {action} failed ({Reason(e)})");
    }

    /// <summary>Runs the SDK's call to the end and hands back its result, translating what it throws.</summary>
    /// <remarks>
    /// The store's interface is synchronous and the SDK is asynchronous only: the call is awaited by blocking. That is
    /// safe where the store runs (dotnet-ef, the runner, an app's startup, the tool): none has a synchronization
    /// context, and every await inside is ConfigureAwait(false).
    /// </remarks>
    public static T Run<T>(Func<Task<T>> call, string location, string action, CancellationToken cancellationToken)
    {
        try
        {
            return call().GetAwaiter().GetResult();
        }
        catch (Exception e) when (IsTranslatable(e, cancellationToken))
        {
            throw Translate(e, location, action);
        }
    }

    /// <summary>One short reason: the HTTP status and S3 code of a service's answer, or what went wrong on the way.</summary>
    private static string Reason(Exception e)
    {
        if (e is AmazonServiceException service && (service.StatusCode != 0 || service.ErrorCode is not null))
        {
            var message = service.Message is { Length: > 0 } m && m != service.ErrorCode ? ": " + Short(Redact(m)) : "";
            return Status(service) + message;
        }

        if (e is AmazonClientException && e.Message.Contains("hash", StringComparison.OrdinalIgnoreCase))
        {
            // The SDK's own check of a download against its single-part ETag (the MD5 of what was stored).
            return "the bytes read do not match the object's MD5 (ETag): the stored copy is damaged";
        }

        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            switch (inner)
            {
                case SocketException socket:
                    return "the service could not be reached: " + socket.SocketErrorCode;
                case TimeoutException or OperationCanceledException:
                    return "the service did not answer in time";
                case HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http:
                    return "the service could not be reached: " + http.HttpRequestError;
            }
        }

        return Short(Redact(e.Message));
    }

    private static string Status(AmazonServiceException e)
        => e.StatusCode == 0 ? e.ErrorCode ?? "no status" : $"HTTP {(int)e.StatusCode}{(e.ErrorCode is { Length: > 0 } code ? " " + code : "")}";

    /// <summary>The first line of a message, at most 160 characters.</summary>
    private static string Short(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 160 ? line : line[..160] + "…";
    }

    /// <summary>
    /// Removes what could be a credential from a message the store did not write: the values of the credential
    /// variables, access key ids, long base64 or hex runs (secrets, tokens, signatures), query strings (signed URLs)
    /// and user info in URLs.
    /// </summary>
    internal static string Redact(string message)
    {
        foreach (var variable in (string[])["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"])
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: >= 8 } secret)
            {
                message = message.Replace(secret, "(not shown)", StringComparison.Ordinal);
            }
        }

        message = UserInfo().Replace(message, "://");
        message = QueryString().Replace(message, "?(not shown)");
        message = AccessKeyId().Replace(message, "(not shown)");
        return LongToken().Replace(message, "(not shown)");
    }

    [GeneratedRegex(@"://[^/\s@]+@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"\?[^\s'""]+")]
    private static partial Regex QueryString();

    [GeneratedRegex(@"\b(AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b")]
    private static partial Regex AccessKeyId();

    [GeneratedRegex(@"[A-Za-z0-9+/=_\-]{32,}")]
    private static partial Regex LongToken();
}
