package kernel

import (
	"context"
	"encoding/json"
	"time"

	"github.com/go-zeromq/zmq4"
)

// requestTimeout bounds how long the shell waits for the evaluator on
// complete, inspect and is_complete.
const requestTimeout = 30 * time.Second

// dispatch serves one request from shell or control. execute_request is
// queued for the executor; everything else is answered at once, between
// busy and idle statuses parented to the request.
func (k *Kernel) dispatch(sock zmq4.Socket, channel string, m *Message) {
	msgType := m.Header.MsgType
	if msgType == "execute_request" {
		k.exec.enqueue(sock, m)
		return
	}
	var handle func(zmq4.Socket, *Message)
	switch msgType {
	case "kernel_info_request":
		handle = k.kernelInfo
	case "complete_request":
		handle = k.complete
	case "inspect_request":
		handle = k.inspect
	case "is_complete_request":
		handle = k.isComplete
	case "history_request":
		handle = k.historyRequest
	case "comm_info_request":
		handle = k.commInfo
	case "comm_open":
		handle = func(_ zmq4.Socket, m *Message) { k.comms.handleOpen(m) }
	case "comm_msg":
		handle = func(_ zmq4.Socket, m *Message) { k.comms.handleMsg(m, false) }
	case "comm_close":
		handle = func(_ zmq4.Socket, m *Message) { k.comms.handleMsg(m, true) }
	case "interrupt_request":
		handle = k.interruptRequest
	case "shutdown_request":
		handle = k.shutdownRequest
	default:
		k.log.Printf("%s: ignored unknown message type %q", channel, msgType)
		return
	}
	parent := m.RawHeader()
	if channel == "shell" {
		k.lastParent.Store(&parent)
	}
	k.pub.publish("status", parent, statusBusy)
	handle(sock, m)
	k.pub.publish("status", parent, statusIdle)
	if msgType == "shutdown_request" {
		k.requestStop(k.restartAsked.Load())
	}
}

// errorReply is a reply with status error.
type errorReply struct {
	Status string `json:"status"`
	ExecError
}

func (k *Kernel) replyError(sock zmq4.Socket, m *Message, msgType, ename string, err error) {
	k.log.Printf("%s: %v", m.Header.MsgType, err)
	k.reply(sock, m, msgType, errorReply{Status: StatusError, ExecError: ExecError{
		Name: ename, Value: err.Error(), Traceback: []string{ename + ": " + err.Error()},
	}})
}

type kernelInfoReply struct {
	Status                string       `json:"status"`
	ProtocolVersion       string       `json:"protocol_version"`
	Implementation        string       `json:"implementation"`
	ImplementationVersion string       `json:"implementation_version"`
	LanguageInfo          LanguageInfo `json:"language_info"`
	Banner                string       `json:"banner"`
	HelpLinks             []HelpLink   `json:"help_links"`
	Debugger              bool         `json:"debugger"`
	SupportedFeatures     []string     `json:"supported_features"`
}

func (k *Kernel) kernelInfo(sock zmq4.Socket, m *Message) {
	info := k.cfg.Info
	links := info.HelpLinks
	if links == nil {
		links = []HelpLink{}
	}
	k.reply(sock, m, "kernel_info_reply", kernelInfoReply{
		Status:                StatusOK,
		ProtocolVersion:       ProtocolVersion,
		Implementation:        info.Implementation,
		ImplementationVersion: info.ImplementationVersion,
		LanguageInfo:          info.LanguageInfo,
		Banner:                info.Banner,
		HelpLinks:             links,
		SupportedFeatures:     []string{},
	})
}

// evalContext is the context of a quick evaluator call.
func (k *Kernel) evalContext() (context.Context, context.CancelFunc) {
	parent := k.runCtx
	if parent == nil {
		parent = context.Background()
	}
	return context.WithTimeout(parent, requestTimeout)
}

type completeRequest struct {
	Code      string `json:"code"`
	CursorPos int    `json:"cursor_pos"`
}

type completeReply struct {
	Status string `json:"status"`
	CompleteResult
}

func (k *Kernel) complete(sock zmq4.Socket, m *Message) {
	var c completeRequest
	if err := m.UnmarshalContent(&c); err != nil {
		k.replyError(sock, m, "complete_reply", "BadRequest", err)
		return
	}
	ctx, cancel := k.evalContext()
	defer cancel()
	r, err := k.cfg.Evaluator.Complete(ctx, c.Code, c.CursorPos)
	if err != nil {
		// The error fields, plus empty results for clients that read
		// matches whatever the status.
		k.log.Printf("complete_request: %v", err)
		k.reply(sock, m, "complete_reply", map[string]any{
			"status": StatusError, "ename": "CompleteError", "evalue": err.Error(),
			"traceback": []string{"CompleteError: " + err.Error()},
			"matches":   []string{}, "cursor_start": c.CursorPos, "cursor_end": c.CursorPos, "metadata": map[string]any{},
		})
		return
	}
	if r.Matches == nil {
		r.Matches = []string{}
	}
	if r.Metadata == nil {
		r.Metadata = map[string]any{}
	}
	k.reply(sock, m, "complete_reply", completeReply{Status: StatusOK, CompleteResult: r})
}

type inspectRequest struct {
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

type inspectReply struct {
	Status string `json:"status"`
	InspectResult
}

func (k *Kernel) inspect(sock zmq4.Socket, m *Message) {
	var c inspectRequest
	if err := m.UnmarshalContent(&c); err != nil {
		k.replyError(sock, m, "inspect_reply", "BadRequest", err)
		return
	}
	ctx, cancel := k.evalContext()
	defer cancel()
	r, err := k.cfg.Evaluator.Inspect(ctx, c.Code, c.CursorPos, c.DetailLevel)
	if err != nil {
		k.log.Printf("inspect_request: %v", err)
		k.reply(sock, m, "inspect_reply", map[string]any{
			"status": StatusError, "ename": "InspectError", "evalue": err.Error(),
			"traceback": []string{"InspectError: " + err.Error()},
			"found":     false, "data": map[string]any{}, "metadata": map[string]any{},
		})
		return
	}
	r.Data = orEmptyMap(r.Data)
	r.Metadata = orEmptyMap(r.Metadata)
	k.reply(sock, m, "inspect_reply", inspectReply{Status: StatusOK, InspectResult: r})
}

type isCompleteRequest struct {
	Code string `json:"code"`
}

func (k *Kernel) isComplete(sock zmq4.Socket, m *Message) {
	var c isCompleteRequest
	if err := m.UnmarshalContent(&c); err != nil {
		k.replyError(sock, m, "is_complete_reply", "BadRequest", err)
		return
	}
	ctx, cancel := k.evalContext()
	defer cancel()
	r, err := k.cfg.Evaluator.IsComplete(ctx, c.Code)
	if err != nil {
		k.log.Printf("is_complete: %v", err)
		r = IsCompleteResult{Status: "unknown"}
	}
	if r.Status == "" {
		r.Status = "unknown"
	}
	if r.Status != "incomplete" {
		r.Indent = ""
	}
	k.reply(sock, m, "is_complete_reply", r)
}

type historyReply struct {
	Status  string `json:"status"`
	History []any  `json:"history"`
}

func (k *Kernel) historyRequest(sock zmq4.Socket, m *Message) {
	var c historyRequest
	if err := m.UnmarshalContent(&c); err != nil {
		k.replyError(sock, m, "history_reply", "BadRequest", err)
		return
	}
	k.reply(sock, m, "history_reply", historyReply{Status: StatusOK, History: k.history.query(c)})
}

type commInfoRequest struct {
	TargetName string `json:"target_name"`
}

type commInfoReply struct {
	Status string         `json:"status"`
	Comms  map[string]any `json:"comms"`
}

func (k *Kernel) commInfo(sock zmq4.Socket, m *Message) {
	var c commInfoRequest
	if err := m.UnmarshalContent(&c); err != nil {
		k.replyError(sock, m, "comm_info_reply", "BadRequest", err)
		return
	}
	k.reply(sock, m, "comm_info_reply", commInfoReply{Status: StatusOK, Comms: k.comms.info(c.TargetName)})
}

func (k *Kernel) interruptRequest(sock zmq4.Socket, m *Message) {
	if err := k.Interrupt(); err != nil {
		k.replyError(sock, m, "interrupt_reply", "InterruptError", err)
		return
	}
	k.reply(sock, m, "interrupt_reply", json.RawMessage(`{"status":"ok"}`))
}

type shutdownContent struct {
	Status  string `json:"status"`
	Restart bool   `json:"restart"`
}

// shutdownRequest answers on the request's channel and, as ipykernel
// does, broadcasts the reply on iopub; then Run winds down.
func (k *Kernel) shutdownRequest(sock zmq4.Socket, m *Message) {
	var c shutdownContent
	if err := m.UnmarshalContent(&c); err != nil {
		k.log.Printf("shutdown_request: %v (shutting down without restart)", err)
	}
	reply := shutdownContent{Status: StatusOK, Restart: c.Restart}
	k.reply(sock, m, "shutdown_reply", reply)
	k.pub.publish("shutdown_reply", m.RawHeader(), reply)
	k.restartAsked.Store(c.Restart)
}
