using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.DurableTask.Client;

namespace Stratus.LocalRunner.Hosting;

/// <summary>
/// Calls a function method the way the isolated worker does: a new instance of its class per invocation
/// (constructor-injected from DI), and each parameter bound from the trigger, the route, DI or the
/// cancellation token. Binding is planned once per function, not per call.
/// </summary>
public sealed class FunctionInvoker
{
    private readonly FunctionMethod _function;
    private readonly MethodInvoker _invoker;
    private readonly ObjectFactory? _factory;
    private readonly Func<InvocationContext, object?>[] _binders;
    private readonly Func<Task, object?>? _taskResult;
    private readonly Func<object, Task<object?>>? _valueTaskResult;

    public FunctionInvoker(FunctionMethod function, Func<ParameterInfo, Func<InvocationContext, object?>?> triggerBinder)
    {
        _function = function;
        _invoker = MethodInvoker.Create(function.Method);
        _factory = function.Method.IsStatic ? null : ActivatorUtilities.CreateFactory(function.Method.DeclaringType!, Type.EmptyTypes);
        _binders = function.Method.GetParameters().Select(p => triggerBinder(p) ?? CommonBinder(function, p)).ToArray();
        var returns = function.Method.ReturnType;
        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            _taskResult = typeof(FunctionInvoker).GetMethod(nameof(ResultOf), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(returns.GetGenericArguments()[0])
                .CreateDelegate<Func<Task, object?>>();
        }
        else if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            _valueTaskResult = typeof(FunctionInvoker).GetMethod(nameof(AwaitValueTask), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(returns.GetGenericArguments()[0])
                .CreateDelegate<Func<object, Task<object?>>>();
        }
    }

    private static object? ResultOf<T>(Task task) => ((Task<T>)task).Result;

    private static async Task<object?> AwaitValueTask<T>(object boxed) => await (ValueTask<T>)boxed;

    public string Name => _function.Name;

    public async Task<object?> InvokeAsync(InvocationContext context)
    {
        var instance = _factory?.Invoke(context.Services, []);
        var args = new object?[_binders.Length];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = _binders[i](context);
        }

        try
        {
            switch (_invoker.Invoke(instance, new Span<object?>(args)))
            {
                case Task task:
                    await task;
                    return _taskResult?.Invoke(task);
                case ValueTask valueTask:
                    await valueTask;
                    return null;
                case { } boxed when _valueTaskResult is not null:
                    return await _valueTaskResult(boxed);
                case var result:
                    return result;
            }
        }
        finally
        {
            // After the work completes, as the worker does.
            (instance as IDisposable)?.Dispose();
        }
    }

    private static Func<InvocationContext, object?> CommonBinder(FunctionMethod function, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(CancellationToken))
        {
            return c => c.CancellationToken;
        }

        if (type == typeof(DurableTaskClient))
        {
            return c => c.Services.GetRequiredService<DurableTaskClient>();
        }

        if (parameter.Name is { } name && (type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(Guid)))
        {
            return c => c.RouteValue(name, type);
        }

        throw new InvalidOperationException(
            $"Function {function.Name}: the local runner cannot bind parameter '{parameter.Name}' of type {type.Name}. " +
            "Inject services through the constructor and keep FunctionContext out of function signatures.");
    }
}

/// <summary>What one invocation can bind from.</summary>
public sealed class InvocationContext(IServiceProvider services, CancellationToken cancellationToken, Func<string, string?>? routeValues = null)
{
    public IServiceProvider Services { get; } = services;
    public CancellationToken CancellationToken { get; } = cancellationToken;
    public HttpContext? Http { get; init; }
    public object? TriggerValue { get; init; }

    public object? RouteValue(string name, Type type)
    {
        var raw = routeValues?.Invoke(name);
        if (raw is null || type == typeof(string))
        {
            return raw;
        }

        try
        {
            return Convert.ChangeType(raw, type, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (FormatException)
        {
            throw Core.Errors.DomainException.Invalid("Invalid route value", $"'{name}' must be a {type.Name}, not '{raw}'.");
        }
    }
}

internal static class ActionResults
{
    // One for all calls: a new descriptor draws a random Guid for its id (a read of the kernel's random source per request).
    private static readonly Microsoft.AspNetCore.Mvc.Abstractions.ActionDescriptor Descriptor = new();

    public static Task ExecuteAsync(object? result, HttpContext context) => result switch
    {
        IActionResult action => action.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), Descriptor)),
        null => Task.CompletedTask,
        _ => throw new InvalidOperationException($"HTTP functions must return IActionResult; got {result.GetType().Name}."),
    };
}
