// Short-lived notices: success after a save, and errors that belong to no field.
export type ToastKind = 'success' | 'info' | 'error';
export interface ToastItem {
  id: number;
  kind: ToastKind;
  message: string;
}

class ToastStore {
  items = $state<ToastItem[]>([]);
  private next = 1;

  show(message: string, kind: ToastKind = 'success', ms = kind === 'error' ? 8000 : 4000): number {
    const id = this.next++;
    this.items.push({ id, kind, message });
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  success(message: string) {
    return this.show(message, 'success');
  }

  error(message: string) {
    return this.show(message, 'error');
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear() {
    this.items = [];
  }
}

export const toasts = new ToastStore();
