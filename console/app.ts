import { ApiError, devToken, RealtimeClient, VentRoomClient, type Comment, type Post, type ReactionType, type TokenResponse } from '../client/src/index.ts';

/**
 * The live console (/local/console): a dev user (minted with POST /local/token or picked from the
 * ones minted before), the feed with view counts that move, a post with its comments and
 * reactions, write actions, and a log of every socket frame. Built on the typed client only.
 */
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const origin = location.origin;
const STORE = 'ventroom-console-users';
const REACTIONS: ReactionType[] = ['👍', '❤️', '😂', '😢'];

let api: VentRoomClient | undefined;
let realtime: RealtimeClient | undefined;
let openPost: number | undefined;
const posts = new Map<number, Post>();

function text(tag: string, value: string, className?: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = value;
  if (className) element.className = className;
  return element;
}

function showError(error: unknown): void {
  $('error').textContent = error instanceof ApiError ? `${error.name} (${error.status}): ${error.message}` : String(error);
}

const savedUsers = (): TokenResponse[] => JSON.parse(localStorage.getItem(STORE) ?? '[]') as TokenResponse[];
function renderUsers(): void {
  const select = $<HTMLSelectElement>('user-select');
  select.replaceChildren(text('option', 'pick a minted user…'));
  (select.firstChild as HTMLOptionElement).value = '';
  for (const user of savedUsers()) {
    const option = text('option', `${user.user.display_name} (${user.user.id.slice(0, 8)})`) as HTMLOptionElement;
    option.value = user.user.id;
    select.append(option);
  }
}

function log(frame: unknown): void {
  const entry = document.createElement('li');
  entry.className = 'entry';
  const type = (frame as { type?: string }).type ?? 'gateway';
  entry.append(text('b', type), document.createTextNode(` ${JSON.stringify((frame as { data?: unknown }).data ?? frame)}`));
  $('log').prepend(entry);
  while ($('log').childElementCount > 200) $('log').lastElementChild!.remove();
}

function postItem(post: Post): HTMLElement {
  const item = document.createElement('li');
  item.className = 'post';
  item.dataset.id = String(post.id);
  item.append(
    text('strong', post.title || '(untitled)', 'title'),
    text('div', post.content, 'content'),
    text('div', `${post.user.display_name} · `, 'meta'),
  );
  const meta = item.lastElementChild!;
  meta.append(text('span', `${post.views} views`, 'views'), document.createTextNode(` · ${post.comment_count} comments`));
  item.onclick = () => void openPostScreen(post.id);
  return item;
}

function renderPost(post: Post, flash = false): void {
  posts.set(post.id, post);
  const existing = $('feed').querySelector(`li[data-id="${post.id}"]`);
  const item = postItem(post);
  if (flash) item.classList.add('flash');
  if (existing) existing.replaceWith(item);
  else $('feed').prepend(item);
  if (openPost === post.id) renderPostHeader(post);
}

function renderPostHeader(post: Post): void {
  $('post-title').textContent = post.title || '(untitled)';
  $('post-content').textContent = post.content;
  $('post-views').textContent = `${post.views} views`;
  $('post-reactions').textContent = post.reaction_summary.map((r) => `${r.reaction_type} ${r.count}`).join(' ') || 'no reactions';
}

function renderComment(comment: Comment | Comment['replies'][number]): void {
  if ($('comments').querySelector(`li[data-id="${comment.id}"]`)) return;
  const item = text('li', `${comment.user.display_name}: ${comment.text}`, 'comment');
  item.dataset.id = String(comment.id);
  $('comments').append(item);
}

async function openPostScreen(postId: number): Promise<void> {
  if (!api || !realtime) return;
  if (openPost !== undefined && openPost !== postId) realtime.leavePost(openPost);
  openPost = postId;
  const { post, comments } = await api.postWithComments(postId);
  $('post-screen').hidden = false;
  $('post-screen').dataset.id = String(postId);
  renderPostHeader(post);
  $('comments').replaceChildren();
  for (const comment of [...comments.results].reverse()) {
    renderComment(comment);
    for (const reply of comment.replies) renderComment(reply);
  }
  await realtime.joinPost(postId);
}

async function signIn(user: TokenResponse): Promise<void> {
  realtime?.close();
  $('who').textContent = `${user.user.display_name} (${user.user.id.slice(0, 8)})`;
  api = new VentRoomClient({ baseUrl: origin, token: user.token });
  const wsUrl = ((await (await fetch('/local/health')).json()) as { ws: string }).ws;
  realtime = new RealtimeClient({
    url: wsUrl,
    token: user.token,
    markAsViewed: (ids) => api!.markAsViewed(ids),
    onResync: () => void loadFeed(),
  });
  realtime.onState((state) => {
    $('status').textContent = state;
    $('status').className = `status ${state}`;
  });
  realtime.onFrame(log);
  realtime.on('new_ventroom_post', (event) => {
    feedRead?.set(event.data.id, event.data);
    renderPost(event.data, true);
  });
  realtime.on('ventroom_post_updated', (event) => renderPost(event.data, true));
  realtime.on('ventroom_post_deleted', (event) => {
    $('feed').querySelector(`li[data-id="${event.data.post_id}"]`)?.remove();
    if (openPost === event.data.post_id) $('post-screen').hidden = true;
  });
  realtime.on('ventroom_post_view_updated', (event) => {
    const post = posts.get(event.data.post_id);
    if (post) renderPost({ ...post, views: event.data.views }, true);
  });
  // Only the open post's group is joined, so every comment event is one of its comments.
  realtime.on('new_ventroom_comment', (event) => {
    if (openPost !== undefined) renderComment(event.data);
  });
  realtime.on('ventroom_reaction_updated', (event) => {
    if (event.data.content_type !== 'ventpost') return;
    const post = posts.get(event.data.object_id);
    if (post) renderPost({ ...post, reaction_summary: event.data.reaction_summary });
  });
  realtime.connect();
  // Joined before the page is read, so a post created in between is not missed by both.
  await realtime.joinFeed();
  await loadFeed();
}

/** Posts that arrived over the socket while the feed page was being read (they may be newer than it). */
let feedRead: Map<number, Post> | undefined;

async function loadFeed(): Promise<void> {
  if (!api) return;
  const arrived = new Map<number, Post>();
  feedRead = arrived;
  const page = await api.listPosts({ page_size: 20 }).finally(() => {
    if (feedRead === arrived) feedRead = undefined;
  });
  $('feed').replaceChildren();
  for (const post of [...page.results].reverse()) renderPost(post);
  for (const post of arrived.values()) if (!page.results.some((listed) => listed.id === post.id)) renderPost(post);
}

$('mint').onclick = async () => {
  try {
    const name = $<HTMLInputElement>('display-name').value.trim() || `Dev ${Math.random().toString(36).slice(2, 6)}`;
    const user = await devToken(origin, { display_name: name, admin: $<HTMLInputElement>('admin').checked });
    localStorage.setItem(STORE, JSON.stringify([...savedUsers(), user]));
    renderUsers();
    await signIn(user);
  } catch (error) {
    showError(error);
  }
};
$<HTMLSelectElement>('user-select').onchange = (event) => {
  const user = savedUsers().find((u) => u.user.id === (event.target as HTMLSelectElement).value);
  if (user) void signIn(user).catch(showError);
};
$('publish').onclick = async () => {
  if (!api) return showError('Mint or pick a user first.');
  try {
    const post = await api.createPost({ title: $<HTMLInputElement>('new-title').value, content: $<HTMLTextAreaElement>('new-content').value });
    renderPost(post);
    $<HTMLTextAreaElement>('new-content').value = '';
    $('error').textContent = '';
  } catch (error) {
    showError(error);
  }
};
$('send-comment').onclick = async () => {
  if (!api || openPost === undefined) return;
  try {
    renderComment(await api.createComment(openPost, { text: $<HTMLTextAreaElement>('comment-text').value }));
    $<HTMLTextAreaElement>('comment-text').value = '';
  } catch (error) {
    showError(error);
  }
};
$('delete-post').onclick = async () => {
  if (api && openPost !== undefined) await api.deletePost(openPost).catch(showError);
};
for (const reaction of REACTIONS) {
  const button = text('button', reaction);
  button.onclick = async () => {
    if (api && openPost !== undefined) await api.react({ content_type: 'ventpost', object_id: openPost, reaction_type: reaction }).catch(showError);
  };
  $('react-buttons').append(button);
}
renderUsers();
