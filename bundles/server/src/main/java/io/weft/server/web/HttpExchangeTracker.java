package io.weft.server.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;

/**
 * Keeps one HTTP exchange at a time on a connection: a request that arrives (pipelined) before the previous response
 * ended is held until it has, so responses never interleave, and reading pauses meanwhile. Closes the connection when
 * it has been idle with no exchange in progress (an {@link IdleStateEvent} from the gateway's idle handler); once
 * the connection has been upgraded (no HTTP codec left) idle events are passed on to whoever upgraded it.
 */
final class HttpExchangeTracker extends ChannelDuplexHandler {
    private static final int MAX_QUEUED = 16;

    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private int inFlight;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (inFlight > 0) {
            if (queued.size() >= MAX_QUEUED) {
                request.release();
                ctx.close();
                return;
            }
            queued.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        inFlight++;
        ctx.fireChannelRead(request);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean ended = msg instanceof LastHttpContent && inFlight > 0;
        ctx.write(msg, promise);
        if (ended && --inFlight == 0 && !queued.isEmpty()) {
            ctx.executor().execute(() -> next(ctx));
        }
    }

    private void next(ChannelHandlerContext ctx) {
        if (inFlight > 0 || queued.isEmpty() || !ctx.channel().isActive()) {
            return;
        }
        FullHttpRequest request = queued.poll();
        if (queued.isEmpty()) {
            ctx.channel().config().setAutoRead(true);
        }
        inFlight++;
        ctx.fireChannelRead(request);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && ctx.pipeline().get(HttpServerCodec.class) != null) {
            if (inFlight == 0) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseQueued();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseQueued();
    }

    private void releaseQueued() {
        FullHttpRequest r;
        while ((r = queued.poll()) != null) {
            r.release();
        }
    }
}
